package objectstore

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// Server answers path-style S3 requests (/<bucket>/<key>) from a Backend.
type Server struct {
	// Backend stores the objects.
	Backend Backend
	// Verifier checks every request's signature; nil serves anonymously
	// (for tests of the storage only).
	Verifier *sigv4.Verifier
	// PostPolicy, when set, accepts browser POST uploads to /<bucket>:
	// multipart forms signed with an S3 POST policy, which carry no
	// Authorization header and are checked by it instead of Verifier.
	PostPolicy *policy.Verifier
	// Log, when set, is called once per request with its outcome: the
	// status and S3 error code sent. r is the request as the S3 operation
	// saw it: once the signature was verified, its context holds the
	// [sigv4.Verified] (see [sigv4.VerifiedFromContext]), whose Stream and
	// Checksum say how the body came (read to its end by then).
	Log func(r *http.Request, status int, code string)
}

// Handler returns the HTTP handler: the verifier's middleware in front of
// the S3 operations.
func (s *Server) Handler() http.Handler {
	h := http.Handler(http.HandlerFunc(s.serve))
	if s.Verifier != nil {
		h = s.Verifier.Middleware(h)
	}
	if s.PostPolicy != nil {
		signed := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if bucket, ok := postUpload(r); ok {
				s.post(w, r, bucket)
				return
			}
			signed.ServeHTTP(w, r)
		})
	}
	if s.Log == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK, req: r}
		h.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), recorderKey{}, rec)))
		code := rec.Header().Get("X-Objectstore-Code")
		if code == "" {
			code = rec.code // an error the verifier's middleware wrote
		}
		s.Log(rec.req, rec.status, code)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	// req is the request as the S3 operation saw it (after verification,
	// with the sigv4.Verified in its context), or the incoming one when
	// the request went no further than the verifier.
	req *http.Request
	// code is the <Code> of an error answer's first write.
	code    string
	written bool
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	if !r.written {
		r.written = true
		if r.status >= 400 {
			_, rest, _ := strings.Cut(string(p[:min(len(p), 1024)]), "<Code>")
			r.code, _, _ = strings.Cut(rest, "</Code>")
		}
	}
	return r.ResponseWriter.Write(p)
}

// recorderKey is the context key of the request's statusRecorder.
type recorderKey struct{}

// noteRequest tells the log which request the S3 operation saw.
func noteRequest(r *http.Request) {
	if rec, ok := r.Context().Value(recorderKey{}).(*statusRecorder); ok {
		rec.req = r
	}
}

// s3Error answers with an S3 error.
func s3Error(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	w.Header().Set("X-Objectstore-Code", code)
	sigv4.WriteError(w, r, &sigv4.AuthError{Code: code, Message: msg, StatusCode: status})
}

// fail answers with err: an *sigv4.AuthError (a body that failed
// verification) as it is, a backend error as S3 would.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *sigv4.AuthError
	switch {
	case errors.As(err, &ae):
		w.Header().Set("X-Objectstore-Code", ae.Code)
		sigv4.WriteError(w, r, err)
	case errors.Is(err, ErrNoSuchBucket):
		s3Error(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
	case errors.Is(err, ErrNoSuchKey):
		s3Error(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	default:
		s3Error(w, r, http.StatusInternalServerError, sigv4.CodeInternalError, "We encountered an internal error. Please try again.")
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	noteRequest(r)
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, hasKey := strings.Cut(path, "/")
	switch {
	case bucket == "":
		if r.Method != http.MethodGet {
			s3Error(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
			return
		}
		s.listBuckets(w, r)
	case !hasKey || key == "":
		switch r.Method {
		case http.MethodPut:
			if err := s.Backend.CreateBucket(bucket); err != nil {
				s3Error(w, r, http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.")
				return
			}
			w.Header().Set("Location", "/"+bucket)
			w.WriteHeader(http.StatusOK)
		case http.MethodGet:
			s.listObjects(w, r, bucket)
		case http.MethodHead:
			if _, err := s.Backend.List(bucket, "\xff"); err != nil {
				fail(w, r, err)
				return
			}
			w.WriteHeader(http.StatusOK)
		default:
			s3Error(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		}
	default:
		switch r.Method {
		case http.MethodPut:
			s.put(w, r, bucket, key)
		case http.MethodGet, http.MethodHead:
			s.get(w, r, bucket, key)
		case http.MethodDelete:
			if err := s.Backend.Delete(bucket, key); err != nil {
				fail(w, r, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		case http.MethodPost:
			// CreateMultipartUpload (?uploads), CompleteMultipartUpload
			// (?uploadId=), SelectObjectContent, RestoreObject.
			s3Error(w, r, http.StatusNotImplemented, sigv4.CodeNotImplemented, "A header you provided implies functionality that is not implemented: POST on an object (multipart uploads are not implemented).")
		default:
			s3Error(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		}
	}
}

// postUpload reports whether r is a browser POST upload, a multipart form
// posted to /<bucket>, and returns the bucket.
func postUpload(r *http.Request) (string, bool) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return "", false
	}
	bucket := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket == "" || strings.Contains(bucket, "/") {
		return "", false
	}
	return bucket, true
}

// post stores a browser POST upload after policy verification. The file
// streams into the backend, which stores it only when the whole file was
// read within the policy's size range.
func (s *Server) post(w http.ResponseWriter, r *http.Request, bucket string) {
	u, err := s.PostPolicy.VerifyRequest(r, bucket)
	if err != nil {
		fail(w, r, err)
		return
	}
	body, check := bodyChecksum(r, u.File)
	o, err := s.Backend.Put(bucket, u.Key, body, PutOptions{ContentType: u.ContentType(), Check: check})
	if err != nil {
		fail(w, r, err)
		return
	}
	u.WriteSuccess(w, "/"+bucket+"/"+u.Key, o.ETag)
}

// put stores an object. The backend stores it only after the body was read
// to the end, and the verifier's body fails that last read when the
// payload hash, a chunk or trailer signature, the checksum or the decoded
// length is wrong: a corrupted upload leaves nothing behind. The answer
// carries the object's checksum, as S3's does.
func (s *Server) put(w http.ResponseWriter, r *http.Request, bucket, key string) {
	if len(key) > 1024 {
		s3Error(w, r, http.StatusBadRequest, "KeyTooLongError", "Your key is too long")
		return
	}
	if r.Header.Get("X-Amz-Copy-Source") != "" {
		s3Error(w, r, http.StatusNotImplemented, sigv4.CodeNotImplemented, "CopyObject is not implemented.")
		return
	}
	q := r.URL.Query()
	if q.Has("partNumber") || q.Has("uploadId") {
		s3Error(w, r, http.StatusNotImplemented, sigv4.CodeNotImplemented, "A header you provided implies functionality that is not implemented: UploadPart (multipart uploads are not implemented).")
		return
	}
	var wantMD5 []byte
	if vv, ok := r.Header["Content-Md5"]; ok {
		b, err := base64.StdEncoding.DecodeString(vv[0])
		if len(vv) != 1 || err != nil || len(b) != md5.Size {
			s3Error(w, r, http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid.")
			return
		}
		wantMD5 = b
	}
	body, check := bodyChecksum(r, r.Body)
	o, err := s.Backend.Put(bucket, key, body, PutOptions{
		ContentType: r.Header.Get("Content-Type"),
		Check: func(o *Object) error {
			if wantMD5 != nil && o.ETag != `"`+hex.EncodeToString(wantMD5)+`"` {
				return &sigv4.AuthError{Code: sigv4.CodeBadDigest, StatusCode: http.StatusBadRequest, Message: "The Content-MD5 you specified did not match what we received."}
			}
			return check(o)
		},
	})
	if err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("ETag", o.ETag)
	setChecksum(w.Header(), o)
	w.WriteHeader(http.StatusOK)
}

// bodyChecksum returns the body to store and the Check that fills in the
// object's checksum once it was read to its end: the x-amz-checksum-*
// checksum the Verifier checked (from a header, or an aws-chunked
// trailer), or else CRC64NVME computed here, as S3 does.
func bodyChecksum(r *http.Request, body io.Reader) (io.Reader, func(*Object) error) {
	if vd, ok := sigv4.VerifiedFromContext(r.Context()); ok && vd.Checksum != nil {
		ck := vd.Checksum
		return body, func(o *Object) error {
			if !ck.Verified { // cannot happen once the body read to its end
				return errors.New("objectstore: the body's checksum was not verified")
			}
			o.ChecksumAlgorithm, o.Checksum = ck.Algorithm, ck.Value
			return nil
		}
	}
	h := sigv4.ChecksumCRC64NVME.New()
	return io.TeeReader(body, h), func(o *Object) error {
		o.ChecksumAlgorithm = sigv4.ChecksumCRC64NVME
		o.Checksum = base64.StdEncoding.EncodeToString(h.Sum(nil))
		return nil
	}
}

// setChecksum sets the object's checksum headers, as S3 answers a PUT, and
// a GET or HEAD with x-amz-checksum-mode: ENABLED.
func setChecksum(h http.Header, o Object) {
	if name := o.ChecksumAlgorithm.HeaderName(); name != "" && o.Checksum != "" {
		h.Set(name, o.Checksum)
		h.Set("X-Amz-Checksum-Type", "FULL_OBJECT")
	}
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, bucket, key string) {
	c, o, err := s.Backend.Get(bucket, key)
	if err != nil {
		fail(w, r, err)
		return
	}
	defer c.Close()
	ct := o.ContentType
	if v := r.URL.Query().Get("response-content-type"); v != "" {
		ct = v
	}
	if ct == "" {
		ct = "binary/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("ETag", o.ETag)
	w.Header().Set("Accept-Ranges", "bytes")
	// The whole object's checksum, on request; S3 sends none with a part
	// of the object, which a client could not check.
	if strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") && r.Header.Get("Range") == "" {
		setChecksum(w.Header(), o)
	}
	http.ServeContent(w, r, "", o.LastModified, c)
}

type listAllMyBucketsResult struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
	Buckets []struct {
		Name         string `xml:"Name"`
		CreationDate string `xml:"CreationDate"`
	} `xml:"Buckets>Bucket"`
}

func (s *Server) listBuckets(w http.ResponseWriter, r *http.Request) {
	names, err := s.Backend.Buckets()
	if err != nil {
		fail(w, r, err)
		return
	}
	var res listAllMyBucketsResult
	for _, n := range names {
		res.Buckets = append(res.Buckets, struct {
			Name         string `xml:"Name"`
			CreationDate string `xml:"CreationDate"`
		}{n, time.Unix(0, 0).UTC().Format(time.RFC3339)})
	}
	writeXML(w, res)
}

// ListBucketResult is S3's ListObjectsV2 answer.
type ListBucketResult struct {
	XMLName               xml.Name       `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	KeyCount              int            `xml:"KeyCount"`
	MaxKeys               int            `xml:"MaxKeys"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []Contents     `xml:"Contents"`
	CommonPrefixes        []CommonPrefix `xml:"CommonPrefixes"`
}

// Contents is one object of a listing.
type Contents struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
}

// CommonPrefix is one rolled-up prefix of a listing with a delimiter.
type CommonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// listObjects answers ListObjectsV2: prefix, delimiter, max-keys (at most
// 1000), start-after and continuation-token (an opaque cursor: the last
// key returned).
func (s *Server) listObjects(w http.ResponseWriter, r *http.Request, bucket string) {
	q := r.URL.Query()
	res := ListBucketResult{Name: bucket, Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"),
		StartAfter: q.Get("start-after"), ContinuationToken: q.Get("continuation-token"), MaxKeys: 1000}
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s3Error(w, r, http.StatusBadRequest, sigv4.CodeInvalidArgument, "Provided max-keys not an integer or within integer range")
			return
		}
		res.MaxKeys = min(n, 1000)
	}
	after := res.StartAfter
	if res.ContinuationToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(res.ContinuationToken)
		if err != nil {
			s3Error(w, r, http.StatusBadRequest, sigv4.CodeInvalidArgument, "The continuation token provided is incorrect")
			return
		}
		after = max(after, string(b))
	}
	objs, err := s.Backend.List(bucket, res.Prefix)
	if err != nil {
		fail(w, r, err)
		return
	}
	last := ""
	for _, o := range objs {
		if o.Key <= after {
			continue
		}
		name, cp := o.Key, ""
		if res.Delimiter != "" {
			if i := strings.Index(o.Key[len(res.Prefix):], res.Delimiter); i >= 0 {
				cp = o.Key[:len(res.Prefix)+i+len(res.Delimiter)]
				name = cp
			}
		}
		if cp != "" && len(res.CommonPrefixes) > 0 && res.CommonPrefixes[len(res.CommonPrefixes)-1].Prefix == cp {
			last = o.Key
			continue
		}
		if res.KeyCount == res.MaxKeys {
			res.IsTruncated = true
			break
		}
		if cp != "" {
			res.CommonPrefixes = append(res.CommonPrefixes, CommonPrefix{cp})
		} else {
			res.Contents = append(res.Contents, Contents{Key: name, LastModified: o.LastModified.Format("2006-01-02T15:04:05.000Z"),
				ETag: o.ETag, Size: o.Size, StorageClass: "STANDARD"})
		}
		res.KeyCount++
		last = o.Key
	}
	if res.IsTruncated {
		res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(last))
	}
	writeXML(w, res)
}

func writeXML(w http.ResponseWriter, v any) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	b = append([]byte(xml.Header), b...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}
