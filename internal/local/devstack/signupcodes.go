package devstack

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// CognitoPoolFile is where cognito-local keeps a pool's users, or "" when
// Cognito is not the local emulator.
func (s *Stack) CognitoPoolFile(poolID string) string {
	if s.cognitoDir == "" || poolID == "" {
		return ""
	}
	return filepath.Join(s.cognitoDir, ".cognito", "db", poolID+".json")
}

// WatchSignUpCodes reports each pending sign-up confirmation code in
// cognito-local's pool file once, until ctx ends. cognito-local "sends"
// codes only to its log, which nobody running `make dev` reads (and which,
// from about the fourth sign-up, its logger may not flush), so the runner
// prints them where the person signing up looks.
func WatchSignUpCodes(ctx context.Context, poolFile string, every time.Duration, report func(email, code string)) {
	seen := map[string]bool{}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		for _, p := range pendingCodes(poolFile) {
			if key := p.email + "\x00" + p.code; !seen[key] {
				seen[key] = true
				report(p.email, p.code)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

type pendingCode struct{ email, code string }

// pendingCodes reads the users with a confirmation code; a file being
// rewritten or not there yet reads as none, and the next poll sees it.
func pendingCodes(poolFile string) []pendingCode {
	b, err := os.ReadFile(poolFile)
	if err != nil {
		return nil
	}
	var db struct {
		Users map[string]struct {
			Attributes       []struct{ Name, Value string }
			ConfirmationCode string
			UserStatus       string
			Password         string
		}
	}
	if json.Unmarshal(b, &db) != nil {
		return nil
	}
	var out []pendingCode
	for _, u := range db.Users {
		code := u.ConfirmationCode
		if u.UserStatus == "FORCE_CHANGE_PASSWORD" {
			// Invited from the admin console: the "code" is the temporary
			// password Cognito would mail.
			code = "temporary password " + u.Password
		} else if code == "" {
			continue // cognito-local clears a code once it is used
		}
		for _, a := range u.Attributes {
			if a.Name == "email" {
				out = append(out, pendingCode{email: a.Value, code: code})
			}
		}
	}
	return out
}
