"""Server-rendered H5 pages behind the QR link (the non-WeChat fallback of the mini-program)."""
