package streamclients

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// TestAWSSDKUploadManagers uploads through aws-sdk-go-v2's upload managers,
// feature/s3/manager's Uploader (deprecated) and its successor
// feature/s3/transfermanager, from a body that cannot seek: they read
// each part into a buffer, so every PutObject or UploadPart body can seek
// and is sent as PutObject sends a seekable body (a CRC32 trailer over
// HTTPS; over HTTP, a plain body, its SHA-256 signed and a CRC32 header).
// 1 MiB is one PutObject; 11 MiB, with 5 MiB parts, three UploadParts
// (on the in-memory store only: objectserver has no multipart uploads).
func TestAWSSDKUploadManagers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *servers) {
		const partSize = 5 << 20
		uploaders := []struct {
			name   string
			upload func(c *s3.Client, key string, body io.Reader) error
		}{
			{"manager.Uploader", func(c *s3.Client, key string, body io.Reader) error {
				// Deprecated, and still what most programs upload with.
				//lint:ignore SA1019 the deprecated uploader is the one under test
				u := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = partSize })
				//lint:ignore SA1019 the deprecated uploader is the one under test
				_, err := u.Upload(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: body})
				return err
			}},
			{"transfermanager", func(c *s3.Client, key string, body io.Reader) error {
				tm := transfermanager.New(c, func(o *transfermanager.Options) {
					o.PartSizeBytes, o.MultipartUploadThreshold = partSize, partSize
				})
				_, err := tm.UploadObject(context.Background(), &transfermanager.UploadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: body})
				return err
			}},
		}
		for _, up := range uploaders {
			for _, secure := range []bool{true, false} {
				w := unsignedTrailer(sigv4.ChecksumCRC32)
				scheme := "https"
				if !secure {
					w, scheme = want{payload: "sha256", checksum: sigv4.ChecksumCRC32}, "http"
				}
				t.Run(up.name+"/"+scheme, func(t *testing.T) {
					client := s.sdkClient(secure, false, aws.RequestChecksumCalculationWhenSupported)
					for i, size := range []int{1 << 20, 11 << 20} {
						// objectserver has no multipart uploads: the 11 MiB
						// upload runs on the in-memory store alone.
						if s.lacks(false, size > partSize) {
							continue
						}
						key := fmt.Sprintf("managers/%s/%s/%d", up.name, scheme, size)
						data := randomData(size, uint64(300+i))
						if err := up.upload(client, key, onlyReader{bytes.NewReader(data)}); err != nil {
							t.Fatalf("size %d: %v", size, err)
						}
						s.check(t, key, data, w)
						if n, wantParts := len(s.store.uploadsOf(key)), (size+partSize-1)/partSize; size > partSize && n != wantParts {
							t.Errorf("size %d: %d parts, want %d", size, n, wantParts)
						}
						s.get(t, secure, key, data)
					}
				})
			}
		}
	})
}
