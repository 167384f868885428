package credentials

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Test secrets. Every error produced by the tests is recorded with noteErr
// and TestMain fails the run if any of them shows one of these.
const (
	testAccessKeyID = "AKIDTESTEXAMPLE"
	testSecret      = "SeCrEtwJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLE"
	testToken       = "ToKeNFwoGZXIvYXdzEBYaDHEXAMPLESESSION"
	testAuthToken   = "AuThZtOkEnCONTAINEREXAMPLE"
)

var secrets = []string{testSecret, testToken, testAuthToken}

var (
	recordedMu sync.Mutex
	recorded   []string
)

// noteErr records every print form of err for the secret check and returns
// it.
func noteErr(err error) error {
	if err == nil {
		return nil
	}
	recordedMu.Lock()
	defer recordedMu.Unlock()
	recorded = append(recorded, err.Error(), fmt.Sprintf("%v|%+v|%#v|%q", err, err, err, err))
	return err
}

func TestMain(m *testing.M) {
	code := m.Run()
	recordedMu.Lock()
	n := len(recorded)
	for _, s := range recorded {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				fmt.Fprintf(os.Stderr, "FAIL: an error shows a test secret: %s\n", s)
				code = 1
			}
		}
	}
	recordedMu.Unlock()
	if f := flag.Lookup("test.run"); code == 0 && n < 50 && !testing.Short() && f != nil && f.Value.String() == "" {
		fmt.Fprintf(os.Stderr, "FAIL: only %d errors recorded for the secret check\n", n)
		code = 1
	}
	os.Exit(code)
}

// env returns a Getenv over m.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// memFiles returns a ReadFile over m; missing files are fs.ErrNotExist.
func memFiles(m map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		s, ok := m[name]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		return []byte(s), nil
	}
}

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }
