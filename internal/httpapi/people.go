package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// personView is what every participant sees of an account (never its
// e-mail address).
type personView struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Country *string `json:"country"`
}

// toPersonView maps a person; nil (nobody: a deemed position, an open
// comment's resolver) stays nil, answered as null.
func toPersonView(p *service.Person) *personView {
	if p == nil {
		return nil
	}
	return &personView{ID: p.ID, Name: p.Name, Country: optional(p.Country)}
}

type delegationMemberView struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Role             string `json:"role"`
	HeadOfDelegation bool   `json:"head_of_delegation"`
}

type participantView struct {
	Country    countryView            `json:"country"`
	Delegation []delegationMemberView `json:"delegation"`
}

func toParticipantView(d service.Delegation) participantView {
	members := listOf(d.Members, "", func(u drafting.User) delegationMemberView {
		return delegationMemberView{ID: u.ID, Name: u.Name, Role: string(u.Role), HeadOfDelegation: u.HeadOfDelegation}
	}).Items
	return participantView{Country: toCountryView(d.Country), Delegation: members}
}

func (s *Server) handleParticipantsGet(c *gin.Context) (int, any, error) {
	ds, err := s.svc.Participants(c.Request.Context(), principal(c), c.Param("gid"))
	return reply(listOf(ds, "", toParticipantView), err)
}

func (s *Server) handleSectionGet(c *gin.Context) (int, any, error) {
	sec, err := s.svc.Section(c.Request.Context(), principal(c), c.Param("sid"))
	return reply(toSectionView(sec), err)
}
