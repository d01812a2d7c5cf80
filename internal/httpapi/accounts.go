package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

func tokenView(t service.TokenPair) tokenResponse {
	return tokenResponse{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: "Bearer", ExpiresIn: t.ExpiresIn}
}

func (s *Server) handleLogin(c *gin.Context) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	var errs drafting.Fields
	if req.Email == "" {
		errs.Add("email", "required")
	}
	if req.Password == "" {
		errs.Add("password", "required")
	}
	if err := errs.Err("auth.invalid_request"); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.svc.Login(c.Request.Context(), req.Email, req.Password, c.ClientIP())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, tokenView(t))
}

func (s *Server) handleRefresh(c *gin.Context) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.RefreshToken == "" {
		s.fail(c, drafting.Invalid("auth.invalid_request", drafting.FieldError{Field: "refresh_token", Message: "required"}))
		return
	}
	t, err := s.svc.Refresh(c.Request.Context(), req.RefreshToken)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, tokenView(t))
}

func (s *Server) handleLogout(c *gin.Context) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if c.Request.ContentLength != 0 {
		if err := decode(c, &req); err != nil {
			s.fail(c, err)
			return
		}
	}
	if err := s.svc.Logout(c.Request.Context(), principal(c), req.RefreshToken); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) handleClientToken(c *gin.Context) {
	var req struct {
		GrantType    string `json:"grant_type"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	var errs drafting.Fields
	if req.GrantType != "client_credentials" {
		errs.Add("grant_type", "must be client_credentials")
	}
	if req.ClientID == "" {
		errs.Add("client_id", "required")
	}
	if req.ClientSecret == "" {
		errs.Add("client_secret", "required")
	}
	if err := errs.Err("auth.invalid_request"); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.svc.ClientToken(c.Request.Context(), req.ClientID, req.ClientSecret, c.ClientIP())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, tokenView(t))
}

type userView struct {
	ID               string    `json:"id"`
	Email            string    `json:"email"`
	Name             string    `json:"name"`
	Role             string    `json:"role"`
	Country          *string   `json:"country"`
	HeadOfDelegation bool      `json:"head_of_delegation"`
	Active           bool      `json:"active"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func toUserView(u drafting.User) userView {
	return userView{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Country: optional(u.Country),
		HeadOfDelegation: u.HeadOfDelegation, Active: u.Active, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func (s *Server) handleMe(c *gin.Context) {
	p := principal(c)
	if p.IsIntegration() {
		c.JSON(http.StatusOK, gin.H{"id": p.ID, "email": nil, "name": p.Name, "role": p.Role, "country": nil, "head_of_delegation": false,
			"alternate": false})
		return
	}
	me, err := s.svc.Me(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := toUserView(me.User)
	c.JSON(http.StatusOK, gin.H{"id": v.ID, "email": v.Email, "name": v.Name, "role": v.Role, "country": v.Country, "head_of_delegation": v.HeadOfDelegation,
		"alternate": me.AlternateFor != ""})
}

type countryView struct {
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	Language    string  `json:"language"`
	AlternateID *string `json:"alternate_id"`
}

func toCountryView(x drafting.Country) countryView {
	return countryView{Code: x.Code, Name: x.Name, Language: x.Language, AlternateID: optional(x.AlternateID)}
}

func (s *Server) handleCountriesGet(c *gin.Context) {
	cs, err := s.svc.Countries(c.Request.Context(), principal(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]countryView, len(cs))
	for i, x := range cs {
		items[i] = toCountryView(x)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *Server) handleCountriesPost(c *gin.Context) {
	var req struct {
		Code     string `json:"code"`
		Name     string `json:"name"`
		Language string `json:"language"`
	}
	raw, err := decodeKeepingBody(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.svc.CreateCountryOnce(c.Request.Context(), principal(c), drafting.Country{Code: req.Code, Name: req.Name, Language: req.Language},
		idempotency(c, raw), func(x drafting.Country) (int, []byte, error) {
			return jsonAnswer(http.StatusCreated, toCountryView(x))
		})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeCreated(c, res, "")
}

func (s *Server) handleUsersPost(c *gin.Context) {
	var req struct {
		Email            string  `json:"email"`
		Name             string  `json:"name"`
		Password         string  `json:"password"`
		Role             string  `json:"role"`
		Country          *string `json:"country"`
		HeadOfDelegation bool    `json:"head_of_delegation"`
	}
	raw, err := decodeKeepingBody(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.svc.CreateUserOnce(c.Request.Context(), principal(c), service.NewUser{
		Email: req.Email, Name: req.Name, Password: req.Password, Role: drafting.Role(req.Role),
		Country: deref(req.Country), HeadOfDelegation: req.HeadOfDelegation,
	}, idempotency(c, raw), func(u drafting.User) (int, []byte, error) { return jsonAnswer(http.StatusCreated, toUserView(u)) })
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeCreated(c, res, "/api/v1/users/")
}

func (s *Server) handleUsersGet(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	users, next, err := s.svc.Users(c.Request.Context(), principal(c), page)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]userView, len(users))
	for i, u := range users {
		items[i] = toUserView(u)
	}
	c.JSON(http.StatusOK, listView[userView]{Items: items, NextCursor: optional(next)})
}

func (s *Server) handleUserGet(c *gin.Context) {
	u, err := s.svc.User(c.Request.Context(), principal(c), c.Param("uid"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUserView(u))
}

func (s *Server) handleUserPatch(c *gin.Context) {
	var req struct {
		Name             *string          `json:"name"`
		Password         *string          `json:"password"`
		Role             *string          `json:"role"`
		Country          nullable[string] `json:"country"`
		HeadOfDelegation *bool            `json:"head_of_delegation"`
		Active           *bool            `json:"active"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	patch := service.UserPatch{Name: req.Name, Password: req.Password, HeadOfDelegation: req.HeadOfDelegation, Active: req.Active}
	if req.Country.Set { // "country": null takes the account out of its country
		country := deref(req.Country.Value)
		patch.Country = &country
	}
	if req.Role != nil {
		r := drafting.Role(*req.Role)
		patch.Role = &r
	}
	u, err := s.svc.UpdateUser(c.Request.Context(), principal(c), c.Param("uid"), patch)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUserView(u))
}

// nullable tells a field that is absent (Set false) from one that is null
// (Set, Value nil), which a plain pointer cannot.
type nullable[T any] struct {
	Set   bool
	Value *T
}

func (n *nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	return json.Unmarshal(b, &n.Value)
}
