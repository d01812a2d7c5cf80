package drafting

// ValidID reports whether s has the shape of the ids the service makes
// (UUID text, 8-4-4-4-12 hex digits). Anything else names nothing, so it
// is answered as unknown before any query is made with it.
func ValidID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// ValidCountryCode reports whether s has the shape of a country code (two
// ASCII letters; the service upper-cases them).
func ValidCountryCode(s string) bool {
	return len(s) == 2 && isASCIILetter(s[0]) && isASCIILetter(s[1])
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
