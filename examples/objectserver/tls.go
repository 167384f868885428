package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"time"
)

// certificateHosts are the names and addresses the -tls certificate is for.
var certificateHosts = []string{"127.0.0.1", "localhost", "::1"}

// certificateLifetime is how long the -tls certificate is valid.
const certificateLifetime = 30 * 24 * time.Hour

// selfSignedCertificate makes the -tls certificate: an ECDSA P-256 key and
// a certificate for certificateHosts, valid from an hour before now (for
// clocks a little behind) for certificateLifetime, signed by its own key.
// It returns the certificate for the server and its PEM for clients.
//
// The certificate is its own CA (basic constraints CA:TRUE, key usage
// certificate signing and digital signature, extended key usage server
// authentication), so that it is accepted as a trust anchor by OpenSSL
// (Python's ssl, node), Go and curl alike, strict X.509 checks included.
func selfSignedCertificate(now time.Time, random io.Reader) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), random)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("TLS key: %w", err)
	}
	serial, err := randInt(random, 128)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("TLS serial number: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("TLS key: %w", err)
	}
	ski := sha1.Sum(pub)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"sigv4kit objectserver"}, CommonName: "objectserver self-signed " + now.UTC().Format(time.RFC3339)},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certificateLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          ski[:],
		AuthorityKeyId:        ski[:],
	}
	for _, h := range certificateHosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(random, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("TLS certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("TLS certificate: %w", err)
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// randInt returns a random positive integer of at most bits bits.
func randInt(random io.Reader, bits int) (*big.Int, error) {
	b := make([]byte, bits/8)
	if _, err := io.ReadFull(random, b); err != nil {
		return nil, err
	}
	b[0] &= 0x7f
	b[len(b)-1] |= 1 // never zero
	return new(big.Int).SetBytes(b), nil
}

// writeCertificate writes the certificate's PEM to path, or to a new file
// in the temporary directory when path is empty, and returns the path.
func writeCertificate(path string, pemBytes []byte) (string, error) {
	if path == "" {
		f, err := os.CreateTemp("", "objectserver-cert-*.pem")
		if err != nil {
			return "", fmt.Errorf("write the TLS certificate: %w", err)
		}
		_, err = f.Write(pemBytes)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
			return "", fmt.Errorf("write the TLS certificate: %w", err)
		}
		return f.Name(), nil
	}
	if err := os.WriteFile(path, pemBytes, 0o644); err != nil {
		return "", fmt.Errorf("write the TLS certificate: %w", err)
	}
	return path, nil
}
