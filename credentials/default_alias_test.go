package credentials

import (
	"context"
	"testing"
)

// TestDeprecatedDefault checks that the deprecated Default still returns
// the chain of DefaultWithoutSTS.
func TestDeprecatedDefault(t *testing.T) {
	env := map[string]string{"AWS_ACCESS_KEY_ID": "AKIDALIAS", "AWS_SECRET_ACCESS_KEY": "alias-secret", "AWS_EC2_METADATA_DISABLED": "true"}
	opts := DefaultOptions{Getenv: func(k string) string { return env[k] }, HomeDir: t.TempDir()}
	for name, p := range map[string]Provider{"Default": Default(opts), "DefaultWithoutSTS": DefaultWithoutSTS(opts)} {
		c, err := p.Retrieve(context.Background())
		if err != nil || c.AccessKeyID != "AKIDALIAS" || c.Source != "env" {
			t.Errorf("%s: %v, %v", name, c, err)
		}
	}
}
