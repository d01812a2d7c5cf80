package demo

import "context"

// negotiate plays the sessions so far: section I was agreed and adopted as
// approved version 1; the rest is under discussion.
func (w *world) negotiate(ctx context.Context) error {
	_, err := w.svc.CreateDraft(ctx, w.facilitator, w.guideline.ID, "Draft after Session 1")
	return err
}
