package presign

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// GetObject presigns a download of an object. Useful options: [VersionID],
// [ResponseContentDisposition] and the other Response* overrides, [Range],
// [PartNumber], [SSECustomerKey].
func (p *Presigner) GetObject(ctx context.Context, bucket, key string, expires time.Duration, opts ...Option) (*Request, error) {
	return p.object(ctx, getCall(), http.MethodGet, bucket, key, true, expires, opts)
}

// HeadObject presigns a request for an object's metadata.
func (p *Presigner) HeadObject(ctx context.Context, bucket, key string, expires time.Duration, opts ...Option) (*Request, error) {
	return p.object(ctx, getCall(), http.MethodHead, bucket, key, true, expires, opts)
}

// PutObject presigns an upload of an object. The options that describe the
// object ([ContentType], [ContentLength], [ContentMD5], [Checksum],
// [ServerSideEncryption], [StorageClass], [ACL], [Metadata], [Tagging],
// [IfNoneMatch], ...) are signed, so that S3 refuses an upload that does
// not match them; the client must send Request.Header with the body.
func (p *Presigner) PutObject(ctx context.Context, bucket, key string, expires time.Duration, opts ...Option) (*Request, error) {
	return p.object(ctx, getCall(), http.MethodPut, bucket, key, true, expires, opts)
}

// DeleteObject presigns the deletion of an object (or, with [VersionID],
// of one of its versions).
func (p *Presigner) DeleteObject(ctx context.Context, bucket, key string, expires time.Duration, opts ...Option) (*Request, error) {
	return p.object(ctx, getCall(), http.MethodDelete, bucket, key, true, expires, opts)
}

// CreateMultipartUpload presigns the start of a multipart upload
// (POST ?uploads). Options that describe the object (content type,
// encryption, metadata, ...) belong here, not on the parts. The response's
// UploadId names the upload in the other multipart calls.
func (p *Presigner) CreateMultipartUpload(ctx context.Context, bucket, key string, expires time.Duration, opts ...Option) (*Request, error) {
	c := getCall()
	c.addQuery("uploads", "")
	return p.object(ctx, c, http.MethodPost, bucket, key, true, expires, opts)
}

// UploadPart presigns the upload of one part (1 to 10000) of a multipart
// upload (PUT ?partNumber=N&uploadId=ID), typically for a browser: it sends
// the part's bytes and keeps the ETag of the response for
// CompleteMultipartUpload. [ContentLength], [ContentMD5] and [Checksum] pin
// the part's content; an SSE-C upload needs [SSECustomerKey] again.
func (p *Presigner) UploadPart(ctx context.Context, bucket, key, uploadID string, partNumber int, expires time.Duration, opts ...Option) (*Request, error) {
	c := getCall()
	if partNumber < 1 || partNumber > 10000 {
		putCall(c)
		return nil, fmt.Errorf("%w: part number %d is outside 1..10000", ErrInvalidOption, partNumber)
	}
	if err := checkUploadID(uploadID); err != nil {
		putCall(c)
		return nil, err
	}
	c.addQuery("partNumber", strconv.Itoa(partNumber))
	c.addQuery("uploadId", uploadID)
	return p.object(ctx, c, http.MethodPut, bucket, key, true, expires, opts)
}

// CompleteMultipartUpload presigns the completion of a multipart upload
// (POST ?uploadId=ID). The client posts the XML list of part numbers and
// ETags as the body, which is not signed.
func (p *Presigner) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, expires time.Duration, opts ...Option) (*Request, error) {
	return p.upload(ctx, http.MethodPost, bucket, key, uploadID, expires, opts)
}

// AbortMultipartUpload presigns the abort of a multipart upload
// (DELETE ?uploadId=ID), which frees its parts.
func (p *Presigner) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string, expires time.Duration, opts ...Option) (*Request, error) {
	return p.upload(ctx, http.MethodDelete, bucket, key, uploadID, expires, opts)
}

// ListParts presigns a listing of the parts uploaded so far
// (GET ?uploadId=ID), for resuming an upload.
func (p *Presigner) ListParts(ctx context.Context, bucket, key, uploadID string, expires time.Duration, opts ...Option) (*Request, error) {
	return p.upload(ctx, http.MethodGet, bucket, key, uploadID, expires, opts)
}

func (p *Presigner) upload(ctx context.Context, method, bucket, key, uploadID string, expires time.Duration, opts []Option) (*Request, error) {
	if err := checkUploadID(uploadID); err != nil {
		return nil, err
	}
	c := getCall()
	c.addQuery("uploadId", uploadID)
	return p.object(ctx, c, method, bucket, key, true, expires, opts)
}

// ListObjectsV2 presigns a listing of a bucket's keys (GET ?list-type=2).
// Useful options: [Prefix], [Delimiter], [MaxKeys], [StartAfter],
// [ContinuationToken].
func (p *Presigner) ListObjectsV2(ctx context.Context, bucket string, expires time.Duration, opts ...Option) (*Request, error) {
	c := getCall()
	c.addQuery("list-type", "2")
	return p.object(ctx, c, http.MethodGet, bucket, "", false, expires, opts)
}

func checkUploadID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: empty upload ID", ErrInvalidOption)
	}
	return nil
}
