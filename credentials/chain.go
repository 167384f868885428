package credentials

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// Chain returns a Provider that asks each provider in turn and returns the
// first credentials found.
//
// A provider that found nothing where it looks (its error matches
// [ErrNoCredentials]) passes on to the next one. Any other error stops the
// chain, as in the AWS CLI: a source that is configured but broken (a
// half-set key pair, an unreadable config file, a role that cannot be
// assumed) must be fixed, not silently replaced by the next source. Either
// way the error is a [*ChainError] that lists what each provider said.
func Chain(providers ...Provider) Provider {
	return chain(providers)
}

type chain []Provider

// Retrieve asks the providers in order.
func (ch chain) Retrieve(ctx context.Context) (Credentials, error) {
	errs := make([]error, 0, len(ch))
	for _, p := range ch {
		c, err := p.Retrieve(ctx)
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if !errors.Is(err, ErrNoCredentials) || ctx.Err() != nil {
			return Credentials{}, &ChainError{Errors: errs, Stopped: true}
		}
	}
	return Credentials{}, &ChainError{Errors: errs}
}

// ChainError is the error of a [Chain]: what each provider it asked said.
type ChainError struct {
	// Errors holds one error per provider asked, in order.
	Errors []error
	// Stopped reports that the last provider failed with an error other
	// than ErrNoCredentials, which stopped the chain.
	Stopped bool
}

// Error lists the providers' errors.
func (e *ChainError) Error() string {
	var b strings.Builder
	if e.Stopped {
		b.WriteString("credentials: provider " + strconv.Itoa(len(e.Errors)) + " of the chain failed")
	} else {
		b.WriteString("credentials: no provider found credentials")
	}
	for i, err := range e.Errors {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(strconv.Itoa(i+1) + ". " + strings.TrimPrefix(err.Error(), "credentials: "))
	}
	return b.String()
}

// Is reports whether the chain found no credentials anywhere (target
// [ErrNoCredentials]) without being stopped by an error.
func (e *ChainError) Is(target error) bool {
	return target == ErrNoCredentials && !e.Stopped
}

// Unwrap returns the error that stopped the chain, or every error when
// none did.
func (e *ChainError) Unwrap() []error {
	if e.Stopped && len(e.Errors) > 0 {
		return e.Errors[len(e.Errors)-1:]
	}
	return e.Errors
}
