package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// document is a parsed policy, as a verifier reads it: conditions with
// lower-case field names.
type document struct {
	expiration time.Time
	conds      []condition
	raw        [][]byte // each condition as written, for error messages
}

// parseDocument parses a policy document strictly: one JSON object with
// exactly the members expiration (a string) and conditions (an array), no
// member repeated in any object at any depth, and conditions of the forms S3 accepts:
//
//	{"field": "value"}
//	["eq", "$field", "value"]
//	["starts-with", "$field", "prefix"]
//	["content-length-range", min, max]
func parseDocument(raw []byte) (*document, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var top map[string]json.RawMessage
	if err := dec.Decode(&top); err != nil || top == nil {
		return nil, errors.New("the policy is not a JSON object")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("data after the policy's JSON object")
	}
	if err := checkNoDuplicates(raw); err != nil {
		return nil, err
	}
	for k := range top {
		if k != "expiration" && k != "conditions" {
			return nil, fmt.Errorf("unexpected member %q", k)
		}
	}
	var d document
	var exp string
	if rawExp, ok := top["expiration"]; !ok {
		return nil, errors.New("the policy has no expiration")
	} else if err := json.Unmarshal(rawExp, &exp); err != nil {
		return nil, errors.New("the expiration is not a string")
	}
	t, err := time.Parse(time.RFC3339Nano, exp)
	if err != nil {
		return nil, fmt.Errorf("invalid expiration %q", exp)
	}
	d.expiration = t
	rawConds, ok := top["conditions"]
	if !ok {
		return nil, errors.New("the policy has no conditions")
	}
	var list []json.RawMessage
	if err := json.Unmarshal(rawConds, &list); err != nil {
		return nil, errors.New("conditions is not an array")
	}
	for _, rc := range list {
		c, err := parseCondition(rc)
		if err != nil {
			return nil, err
		}
		d.conds = append(d.conds, c)
		d.raw = append(d.raw, rc)
	}
	return &d, nil
}

// checkNoDuplicates refuses a member repeated in any object of the
// document, at any depth (the top level, a condition object, anything
// nested), so that no two JSON parsers can read the same signed policy
// differently: Go's keeps the last value of a repeated member, others the
// first. Member names are compared after unescaping, so "a" and "\u0061"
// are the same member. raw must be one valid JSON value.
func checkNoDuplicates(raw []byte) error {
	type frame struct {
		seen    map[string]bool // nil for an array
		wantKey bool            // in an object, before a member name
	}
	var stack []frame
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if n := len(stack); n > 0 && stack[n-1].seen != nil && stack[n-1].wantKey {
			if k, ok := tok.(string); ok {
				if stack[n-1].seen[k] {
					return fmt.Errorf("duplicate member %q", k)
				}
				stack[n-1].seen[k] = true
				stack[n-1].wantKey = false
				continue
			}
			// The object's closing '}'.
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{seen: map[string]bool{}, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended.
		if len(stack) == 0 {
			return nil
		}
		if top := &stack[len(stack)-1]; top.seen != nil {
			top.wantKey = true
		}
	}
}

// parseCondition parses one condition.
func parseCondition(rc json.RawMessage) (condition, error) {
	rc = bytes.TrimSpace(rc)
	if len(rc) > 0 && rc[0] == '{' {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(rc, &obj); err != nil {
			return condition{}, fmt.Errorf("invalid condition %s", rc)
		}
		if len(obj) != 1 {
			return condition{}, fmt.Errorf("condition %s must have exactly one member", rc)
		}
		for k, v := range obj {
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return condition{}, fmt.Errorf("condition %s: the value is not a string", rc)
			}
			if k == "" {
				return condition{}, fmt.Errorf("condition %s: empty field name", rc)
			}
			return condition{op: string(Eq), field: strings.ToLower(k), value: s}, nil
		}
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(rc, &arr); err != nil || len(arr) == 0 {
		return condition{}, fmt.Errorf("invalid condition %s", rc)
	}
	var op string
	if err := json.Unmarshal(arr[0], &op); err != nil {
		return condition{}, fmt.Errorf("condition %s: the operator is not a string", rc)
	}
	if len(arr) != 3 {
		return condition{}, fmt.Errorf("condition %s: %q takes two arguments", rc, op)
	}
	switch op {
	case string(Eq), string(StartsWith):
		var ref string
		if err := json.Unmarshal(arr[1], &ref); err != nil || len(ref) < 2 || ref[0] != '$' {
			return condition{}, fmt.Errorf("condition %s: the field is not a \"$name\" string", rc)
		}
		v, err := scalar(arr[2])
		if err != nil {
			return condition{}, fmt.Errorf("condition %s: the value is not a string", rc)
		}
		field := strings.ToLower(ref[1:])
		if op == string(StartsWith) && field == "bucket" {
			return condition{}, fmt.Errorf("condition %s: starts-with is not allowed on $bucket", rc)
		}
		return condition{op: op, field: field, value: v}, nil
	case opRange:
		lo, err1 := integer(arr[1])
		hi, err2 := integer(arr[2])
		if err1 != nil || err2 != nil || lo < 0 || lo > hi {
			return condition{}, fmt.Errorf("condition %s: invalid range", rc)
		}
		return condition{op: opRange, min: lo, max: hi}, nil
	}
	return condition{}, fmt.Errorf("condition %s: unknown operator %q", rc, op)
}

// scalar returns a JSON string, or a number's text.
func scalar(raw json.RawMessage) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	}
	return "", errors.New("not a string")
}

// integer returns a JSON integer, or a string holding one (S3 accepts
// both).
func integer(raw json.RawMessage) (int64, error) {
	s, err := scalar(raw)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(s, 10, 64)
}
