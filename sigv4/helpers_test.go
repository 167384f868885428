package sigv4_test

import "encoding/hex"

func hexString(b []byte) string { return hex.EncodeToString(b) }
