package stscreds

import (
	"context"
	"testing"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// TestDeprecatedDefault checks that the deprecated Default still returns
// the chain of DefaultWithSTS.
func TestDeprecatedDefault(t *testing.T) {
	env := map[string]string{"AWS_ACCESS_KEY_ID": "AKIDALIAS", "AWS_SECRET_ACCESS_KEY": "alias-secret", "AWS_EC2_METADATA_DISABLED": "true"}
	copts := credentials.DefaultOptions{Getenv: func(k string) string { return env[k] }, HomeDir: t.TempDir()}
	for name, p := range map[string]credentials.Provider{"Default": Default(copts, Options{}), "DefaultWithSTS": DefaultWithSTS(copts, Options{})} {
		c, err := p.Retrieve(context.Background())
		if err != nil || c.AccessKeyID != "AKIDALIAS" || c.Source != "env" {
			t.Errorf("%s: %v, %v", name, c, err)
		}
	}
}
