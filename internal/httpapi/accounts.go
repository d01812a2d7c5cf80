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

func (s *Server) handleLogin(c *gin.Context) (int, any, error) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	var errs drafting.Fields
	if req.Email == "" {
		errs.Add("email", "required")
	}
	if req.Password == "" {
		errs.Add("password", "required")
	}
	if err := errs.Err("auth.invalid_request"); err != nil {
		return 0, nil, err
	}
	return tokenAnswer(c)(s.svc.Login(c.Request.Context(), req.Email, req.Password, c.ClientIP()))
}

// tokenAnswer answers with a token pair that no cache may keep.
func tokenAnswer(c *gin.Context) func(service.TokenPair, error) (int, any, error) {
	return func(t service.TokenPair, err error) (int, any, error) {
		if err != nil {
			return 0, nil, err
		}
		c.Header("Cache-Control", "no-store")
		return http.StatusOK, tokenView(t), nil
	}
}

func (s *Server) handleRefresh(c *gin.Context) (int, any, error) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	if req.RefreshToken == "" {
		return 0, nil, drafting.Invalid("auth.invalid_request", drafting.FieldError{Field: "refresh_token", Message: "required"})
	}
	return tokenAnswer(c)(s.svc.Refresh(c.Request.Context(), req.RefreshToken))
}

func (s *Server) handleLogout(c *gin.Context) (int, any, error) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if c.Request.ContentLength != 0 {
		if err := decode(c, &req); err != nil {
			return 0, nil, err
		}
	}
	return noContent(s.svc.Logout(c.Request.Context(), principal(c), req.RefreshToken))
}

// handleClientToken is the OAuth 2.0 token endpoint of integrations
// (client credentials; see oauth.go for what it accepts and answers).
func (s *Server) handleClientToken(c *gin.Context) (int, any, error) {
	req, err := decodeTokenRequest(c)
	if err == nil {
		err = req.check()
	}
	if err != nil {
		return 0, nil, asOAuth(err)
	}
	t, err := s.svc.ClientToken(c.Request.Context(), req.ClientID, req.ClientSecret, c.ClientIP())
	c.Header("Pragma", "no-cache") // RFC 6749 §5.1, for HTTP/1.0 caches
	return tokenAnswer(c)(t, asOAuth(err))
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

func (s *Server) handleMe(c *gin.Context) (int, any, error) {
	p := principal(c)
	if p.IsIntegration() {
		return http.StatusOK, gin.H{"id": p.ID, "email": nil, "name": p.Name, "role": p.Role, "country": nil, "head_of_delegation": false,
			"alternate": false}, nil
	}
	me, err := s.svc.Me(c.Request.Context(), p)
	v := toUserView(me.User)
	return reply(gin.H{"id": v.ID, "email": v.Email, "name": v.Name, "role": v.Role, "country": v.Country, "head_of_delegation": v.HeadOfDelegation,
		"alternate": me.AlternateFor != ""}, err)
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

func (s *Server) handleCountriesGet(c *gin.Context) (int, any, error) {
	cs, err := s.svc.Countries(c.Request.Context(), principal(c))
	return reply(listOf(cs, "", toCountryView), err)
}

func (s *Server) handleCountriesPost(c *gin.Context) (int, any, error) {
	var req struct {
		Code     string `json:"code"`
		Name     string `json:"name"`
		Language string `json:"language"`
	}
	idem, err := decodeCreate(c, &req)
	if err != nil {
		return 0, nil, err
	}
	r, err := s.svc.CreateCountryOnce(c.Request.Context(), principal(c), drafting.Country{Code: req.Code, Name: req.Name, Language: req.Language}, idem)
	if err != nil {
		return 0, nil, err
	}
	return created(c, r.Replayed, "", "", toCountryView(r.Value))
}

func (s *Server) handleUsersPost(c *gin.Context) (int, any, error) {
	var req struct {
		Email            string  `json:"email"`
		Name             string  `json:"name"`
		Password         string  `json:"password"`
		Role             string  `json:"role"`
		Country          *string `json:"country"`
		HeadOfDelegation bool    `json:"head_of_delegation"`
	}
	idem, err := decodeCreate(c, &req)
	if err != nil {
		return 0, nil, err
	}
	r, err := s.svc.CreateUserOnce(c.Request.Context(), principal(c), service.NewUser{
		Email: req.Email, Name: req.Name, Password: req.Password, Role: drafting.Role(req.Role),
		Country: deref(req.Country), HeadOfDelegation: req.HeadOfDelegation,
	}, idem)
	if err != nil {
		return 0, nil, err
	}
	return created(c, r.Replayed, "/api/v1/users/"+r.Value.ID, "", toUserView(r.Value))
}

func (s *Server) handleUsersGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	users, next, err := s.svc.Users(c.Request.Context(), principal(c), page)
	return reply(listOf(users, next, toUserView), err)
}

func (s *Server) handleUserGet(c *gin.Context) (int, any, error) {
	u, err := s.svc.User(c.Request.Context(), principal(c), c.Param("uid"))
	return reply(toUserView(u), err)
}

func (s *Server) handleUserPatch(c *gin.Context) (int, any, error) {
	var req struct {
		Name             *string          `json:"name"`
		Password         *string          `json:"password"`
		Role             *string          `json:"role"`
		Country          nullable[string] `json:"country"`
		HeadOfDelegation *bool            `json:"head_of_delegation"`
		Active           *bool            `json:"active"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
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
	return reply(toUserView(u), err)
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
