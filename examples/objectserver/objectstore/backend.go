// Package objectstore is a small S3-compatible object server: path-style
// PUT, GET, HEAD and DELETE of objects, CreateBucket, ListBuckets and
// ListObjectsV2, over a memory or directory backend, behind
// sigv4.Verifier's middleware. PUT accepts plain and aws-chunked bodies
// (every streaming mode the Verifier decodes) and keeps each object's S3
// additional checksum. It is for tests and local development, not for
// production data.
package objectstore

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// Errors a Backend returns.
var (
	ErrNoSuchBucket = errors.New("objectstore: no such bucket")
	ErrNoSuchKey    = errors.New("objectstore: no such key")
)

// Object describes a stored object.
type Object struct {
	Key          string    `json:"key"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"` // quoted hex MD5, as S3's
	ContentType  string    `json:"contentType,omitempty"`
	LastModified time.Time `json:"lastModified"`
	// ChecksumAlgorithm and Checksum are the object's S3 additional
	// checksum (the whole object's, FULL_OBJECT): the one the upload sent
	// and the Verifier checked, or CRC64NVME, which S3 computes when an
	// upload sends none. Checksum is the base64 of the big-endian digest.
	ChecksumAlgorithm sigv4.ChecksumAlgorithm `json:"checksumAlgorithm,omitempty"`
	Checksum          string                  `json:"checksum,omitempty"`
}

// PutOptions is what Backend.Put stores with an object's body.
type PutOptions struct {
	// ContentType is the object's Content-Type.
	ContentType string
	// Check, when set, is called once the body has been read to its end
	// without error, before anything is stored, with the object's
	// description (ETag and Size filled in). It may fill in more of it
	// (the checksum); an error stores nothing and is Put's error.
	Check func(o *Object) error
}

// Content is an object's body, seekable for range requests.
type Content interface {
	io.ReadSeeker
	io.Closer
}

// Backend stores buckets and objects. Put must read body to the end and
// store the object only when that succeeds and opts.Check, if set, accepts
// it: a failed read (for example a payload hash mismatch, or a chunk
// signature that does not match) must leave no object behind, and an
// existing object unchanged.
type Backend interface {
	CreateBucket(bucket string) error
	Buckets() ([]string, error)
	Put(bucket, key string, body io.Reader, opts PutOptions) (Object, error)
	Get(bucket, key string) (Content, Object, error)
	Delete(bucket, key string) error
	// List returns the bucket's objects with the prefix, sorted by key.
	List(bucket, prefix string) ([]Object, error)
}

// Memory is a Backend in memory. Its zero value is not usable; use
// NewMemory.
type Memory struct {
	mu      sync.RWMutex
	buckets map[string]map[string]memObject
}

type memObject struct {
	Object
	data []byte
}

// NewMemory returns an empty memory backend with the given buckets.
func NewMemory(buckets ...string) *Memory {
	m := &Memory{buckets: map[string]map[string]memObject{}}
	for _, b := range buckets {
		m.buckets[b] = map[string]memObject{}
	}
	return m
}

// CreateBucket creates a bucket; creating an existing one is not an error.
func (m *Memory) CreateBucket(bucket string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.buckets[bucket] == nil {
		m.buckets[bucket] = map[string]memObject{}
	}
	return nil
}

// Buckets lists the buckets, sorted.
func (m *Memory) Buckets() ([]string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []string
	for b := range m.buckets {
		out = append(out, b)
	}
	slices.Sort(out)
	return out, nil
}

// Put reads body to the end and stores it only when the read succeeds and
// opts.Check accepts it.
func (m *Memory) Put(bucket, key string, body io.Reader, opts PutOptions) (Object, error) {
	m.mu.RLock()
	_, ok := m.buckets[bucket]
	m.mu.RUnlock()
	if !ok {
		return Object{}, ErrNoSuchBucket
	}
	h := md5.New()
	data, err := io.ReadAll(io.TeeReader(body, h))
	if err != nil {
		return Object{}, err
	}
	o := Object{Key: key, Size: int64(len(data)), ETag: `"` + hex.EncodeToString(h.Sum(nil)) + `"`,
		ContentType: opts.ContentType, LastModified: time.Now().UTC().Truncate(time.Second)}
	if opts.Check != nil {
		if err := opts.Check(&o); err != nil {
			return Object{}, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	objs, ok := m.buckets[bucket]
	if !ok {
		return Object{}, ErrNoSuchBucket
	}
	objs[key] = memObject{o, data}
	return o, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// Get returns an object.
func (m *Memory) Get(bucket, key string) (Content, Object, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	objs, ok := m.buckets[bucket]
	if !ok {
		return nil, Object{}, ErrNoSuchBucket
	}
	o, ok := objs[key]
	if !ok {
		return nil, Object{}, ErrNoSuchKey
	}
	return nopCloser{bytes.NewReader(o.data)}, o.Object, nil
}

// Delete removes an object; removing a missing one is not an error.
func (m *Memory) Delete(bucket, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	objs, ok := m.buckets[bucket]
	if !ok {
		return ErrNoSuchBucket
	}
	delete(objs, key)
	return nil
}

// List returns the objects with the prefix, sorted by key.
func (m *Memory) List(bucket, prefix string) ([]Object, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	objs, ok := m.buckets[bucket]
	if !ok {
		return nil, ErrNoSuchBucket
	}
	var out []Object
	for k, o := range objs {
		if strings.HasPrefix(k, prefix) {
			out = append(out, o.Object)
		}
	}
	slices.SortFunc(out, func(a, b Object) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// Dir is a Backend in a directory: each subdirectory is a bucket, and each
// object is two files named by the SHA-256 of its key, the content
// (".data") and its description (".json"), so that any key is a valid
// file name. A PUT writes a temporary file and renames it into place only
// after the body was read to the end without error.
type Dir struct {
	root string
	mu   sync.Mutex // orders the two renames of a PUT against a DELETE
}

// NewDir returns a directory backend rooted at root, which must exist.
func NewDir(root string) (*Dir, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("objectstore: %s is not a directory", root)
	}
	return &Dir{root: root}, nil
}

// validBucket reports whether name can be a bucket (and a directory name).
func validBucket(name string) bool {
	if len(name) < 1 || len(name) > 63 || name == "." || name == ".." {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

func (d *Dir) bucketDir(bucket string) (string, error) {
	if !validBucket(bucket) {
		return "", ErrNoSuchBucket
	}
	p := filepath.Join(d.root, bucket)
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		return "", ErrNoSuchBucket
	}
	return p, nil
}

func objectName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// CreateBucket creates a bucket directory.
func (d *Dir) CreateBucket(bucket string) error {
	if !validBucket(bucket) {
		return fmt.Errorf("objectstore: invalid bucket name %q", bucket)
	}
	return os.MkdirAll(filepath.Join(d.root, bucket), 0o755)
}

// Buckets lists the bucket directories.
func (d *Dir) Buckets() ([]string, error) {
	es, err := os.ReadDir(d.root)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range es {
		if e.IsDir() && validBucket(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// Put writes body to a temporary file and renames it into place only when
// it was read to the end without error and opts.Check accepts it. The
// body streams to the file: memory does not grow with its size.
func (d *Dir) Put(bucket, key string, body io.Reader, opts PutOptions) (Object, error) {
	dir, err := d.bucketDir(bucket)
	if err != nil {
		return Object{}, err
	}
	tmp, err := os.CreateTemp(dir, ".put-*")
	if err != nil {
		return Object{}, err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Object{}, err
	}
	o := Object{Key: key, Size: n, ETag: `"` + hex.EncodeToString(h.Sum(nil)) + `"`,
		ContentType: opts.ContentType, LastModified: time.Now().UTC().Truncate(time.Second)}
	if opts.Check != nil {
		if err := opts.Check(&o); err != nil {
			return Object{}, err
		}
	}
	meta, err := json.Marshal(o)
	if err != nil {
		return Object{}, err
	}
	name := filepath.Join(dir, objectName(key))
	metaTmp, err := os.CreateTemp(dir, ".meta-*")
	if err != nil {
		return Object{}, err
	}
	defer os.Remove(metaTmp.Name())
	_, err = metaTmp.Write(meta)
	if cerr := metaTmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Object{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := os.Rename(tmp.Name(), name+".data"); err != nil {
		return Object{}, err
	}
	if err := os.Rename(metaTmp.Name(), name+".json"); err != nil {
		return Object{}, err
	}
	return o, nil
}

func readMeta(path string) (Object, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Object{}, err
	}
	var o Object
	err = json.Unmarshal(b, &o)
	return o, err
}

// Get opens an object.
func (d *Dir) Get(bucket, key string) (Content, Object, error) {
	dir, err := d.bucketDir(bucket)
	if err != nil {
		return nil, Object{}, err
	}
	name := filepath.Join(dir, objectName(key))
	d.mu.Lock()
	defer d.mu.Unlock()
	o, err := readMeta(name + ".json")
	if errors.Is(err, os.ErrNotExist) {
		return nil, Object{}, ErrNoSuchKey
	} else if err != nil {
		return nil, Object{}, err
	}
	f, err := os.Open(name + ".data")
	if err != nil {
		return nil, Object{}, err
	}
	return f, o, nil
}

// Delete removes an object.
func (d *Dir) Delete(bucket, key string) error {
	dir, err := d.bucketDir(bucket)
	if err != nil {
		return err
	}
	name := filepath.Join(dir, objectName(key))
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := os.Remove(name + ".json"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Remove(name + ".data"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// List reads the descriptions of the bucket's objects.
func (d *Dir) List(bucket, prefix string) ([]Object, error) {
	dir, err := d.bucketDir(bucket)
	if err != nil {
		return nil, err
	}
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Object
	for _, e := range es {
		if !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		o, err := readMeta(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // removed meanwhile
		}
		if strings.HasPrefix(o.Key, prefix) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b Object) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}
