module github.com/sigv4kit/sigv4kit

go 1.25
