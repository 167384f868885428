package objectstore

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
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
	// Log, when set, is called once per request with its outcome.
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
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		s.Log(r, rec.status, rec.Header().Get("X-Objectstore-Code"))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
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
	o, err := s.Backend.Put(bucket, u.Key, u.ContentType(), u.File)
	if err != nil {
		fail(w, r, err)
		return
	}
	u.WriteSuccess(w, "/"+bucket+"/"+u.Key, o.ETag)
}

// put stores an object. The backend stores it only after the body was read
// to the end, and the verifier's body fails that last read when the
// payload hash differs: a corrupted upload leaves nothing behind.
func (s *Server) put(w http.ResponseWriter, r *http.Request, bucket, key string) {
	if len(key) > 1024 {
		s3Error(w, r, http.StatusBadRequest, "KeyTooLongError", "Your key is too long")
		return
	}
	if r.Header.Get("X-Amz-Copy-Source") != "" {
		s3Error(w, r, http.StatusNotImplemented, sigv4.CodeNotImplemented, "CopyObject is not implemented.")
		return
	}
	o, err := s.Backend.Put(bucket, key, r.Header.Get("Content-Type"), r.Body)
	if err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("ETag", o.ETag)
	w.WriteHeader(http.StatusOK)
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
