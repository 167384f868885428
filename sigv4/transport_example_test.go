package sigv4_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// standIn starts an HTTPS server on 127.0.0.1 that checks every request's
// signature as an AWS service does (service and region as given, the
// examples' keys) before answering with answer: a stand-in for an AWS
// endpoint, so that the examples run without an account.
func standIn(service, region string, answer http.HandlerFunc) *httptest.Server {
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: service, Regions: []string{region}, Secrets: exampleSecrets})
	if err != nil {
		panic(err)
	}
	return httptest.NewTLSServer(v.Middleware(answer))
}

func ExampleTransport_openSearch() {
	// A stand-in for an Amazon OpenSearch Service domain endpoint, such
	// as https://search-logs-abc123.eu-west-1.es.amazonaws.com.
	domain := standIn("es", "eu-west-1", func(w http.ResponseWriter, r *http.Request) {
		query, _ := io.ReadAll(r.Body)
		who, _ := sigv4.VerifiedFromContext(r.Context())
		fmt.Fprintf(w, "%s %s from %s: %s", r.Method, r.URL.Path, who.AccessKeyID, query)
	})
	defer domain.Close()

	signer, err := sigv4.New(sigv4.Config{
		Service: "es", // "aoss" for OpenSearch Serverless
		Region:  "eu-west-1",
		// In a program: credentials.DefaultWithoutSTS(credentials.DefaultOptions{}),
		// a credentials.Cache that refreshes temporary credentials.
		Credentials: credentials.Static("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
	})
	if err != nil {
		panic(err)
	}
	client := &http.Client{Transport: &sigv4.Transport{
		Signer: signer,
		Base:   domain.Client().Transport, // nil in a program: http.DefaultTransport
	}}

	// The body is a *strings.Reader, so the request has GetBody and the
	// Transport hashes it; the client never sees a signature.
	query := `{"query":{"match":{"level":"error"}}}`
	resp, err := client.Post(domain.URL+"/logs-2026.11/_search", "application/json", strings.NewReader(query))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	fmt.Println(string(answer))
	// Output:
	// 200 OK
	// POST /logs-2026.11/_search from AKIDEXAMPLE: {"query":{"match":{"level":"error"}}}
}

func ExampleTransport_apiGateway() {
	// A stand-in for a REST API with IAM authorization, such as
	// https://abc123.execute-api.us-east-1.amazonaws.com/prod.
	api := standIn("execute-api", "us-east-1", func(w http.ResponseWriter, r *http.Request) {
		who, _ := sigv4.VerifiedFromContext(r.Context())
		fmt.Fprintf(w, "%s %s?%s for %s", r.Method, r.URL.Path, r.URL.RawQuery, who.AccessKeyID)
	})
	defer api.Close()

	signer, err := sigv4.New(sigv4.Config{
		Service:     "execute-api",
		Region:      "us-east-1",
		Credentials: credentials.Static("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
	})
	if err != nil {
		panic(err)
	}
	client := &http.Client{Transport: &sigv4.Transport{Signer: signer, Base: api.Client().Transport}}

	resp, err := client.Get(api.URL + "/prod/pets?type=dog&page=2")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	fmt.Println(string(answer))

	// The same client without the Transport: refused before the API runs.
	resp, err = api.Client().Get(api.URL + "/prod/pets?type=dog&page=2")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	// Output:
	// 200 OK
	// GET /prod/pets?type=dog&page=2 for AKIDEXAMPLE
	// 403 Forbidden
}
