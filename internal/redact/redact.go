// Package redact prints values that hold secrets without their secrets.
//
// The types of this module that hold or reach a secret access key, a
// session token or a signing key implement fmt.Formatter, fmt.Stringer,
// fmt.GoStringer and slog.LogValuer with the helpers of this package, so
// that every fmt verb (with any flags, width or precision) and every slog
// handler prints one safe description: the type and the facts that are not
// secret (access key ID, service, region, source).
package redact

import (
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
)

// Redacted stands for a secret wherever one would print.
const Redacted = "[REDACTED]"

// Format writes desc for every verb: %q quotes it and every other verb
// (%v, %+v, %#v, %s, %x, %d, %t, ...) writes it as %s would, with the
// flags and the width of the directive; a precision is ignored, so that
// the description is never cut. Format never formats the value that holds
// the secret, so no verb can reach a secret through it.
func Format(f fmt.State, verb rune, desc string) {
	directive := make([]byte, 0, 16)
	directive = append(directive, '%')
	for _, flag := range "-+# 0" {
		if f.Flag(int(flag)) {
			directive = append(directive, byte(flag))
		}
	}
	if w, ok := f.Width(); ok {
		directive = strconv.AppendInt(directive, int64(w), 10)
	}
	if verb == 'q' {
		directive = append(directive, 'q')
	} else {
		directive = append(directive, 's')
	}
	fmt.Fprintf(f, string(directive), desc)
}

// Describe returns "kind{k1: v1, k2: v2}" for the key-value pairs of kv,
// leaving out the pairs whose value is empty.
func Describe(kind string, kv ...string) string {
	var b strings.Builder
	b.WriteString(kind)
	b.WriteByte('{')
	first := true
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(kv[i])
		b.WriteString(": ")
		b.WriteString(kv[i+1])
	}
	b.WriteByte('}')
	return b.String()
}

// LogValue returns a slog group of a "type" attribute holding kind and the
// key-value pairs of kv whose value is not empty.
func LogValue(kind string, kv ...string) slog.Value {
	attrs := make([]slog.Attr, 1, 1+len(kv)/2)
	attrs[0] = slog.String("type", kind)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			attrs = append(attrs, slog.String(kv[i], kv[i+1]))
		}
	}
	return slog.GroupValue(attrs...)
}

// TypeName returns the dynamic type of v ("*credentials.Cache"), or "" for
// nil. It names a provider or a secret lookup without formatting it: the
// value may be a caller's type that prints its secrets.
func TypeName(v any) string {
	if v == nil {
		return ""
	}
	return reflect.TypeOf(v).String()
}
