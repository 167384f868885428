// Command vetcheck is not built: TestVetReportsRawVerbs runs go vet on it
// to record which of fmt's raw paths vet reports. Each line that vet must
// report ends with "// want", each it does not with "// not reported".
package main

import (
	"fmt"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

func main() {
	c := credentials.Credentials{}
	v := sigv4.Verified{}
	s, _ := sigv4.New(sigv4.Config{})
	fmt.Printf("%w\n", c)    // want
	fmt.Printf("%w\n", &v)   // want
	fmt.Printf("%w\n", s)    // want
	_ = fmt.Errorf("%w", c)  // want
	_ = fmt.Sprintf("%w", v) // want
	fmt.Printf("%p\n", c)    // not reported
	fmt.Printf("%p\n", v)    // not reported
	fmt.Printf("%p\n", s)    // a pointer: prints an address
}
