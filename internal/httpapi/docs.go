package httpapi

func docsPage(spec []byte) ([]byte, error) {
	return []byte("<!DOCTYPE html><html><head><title>Consenso API</title></head><body><h1>Consenso API</h1></body></html>"), nil
}
