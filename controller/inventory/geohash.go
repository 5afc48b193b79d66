package inventory

// gridPrecision is the geohash length of a computed grid cell: 7 characters
// is about 153 m × 153 m, the size of a residential compound, which is the
// scale at which repeated coverage complaints cluster.
const gridPrecision = 7

const geohashAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// geohash encodes a WGS84 position (standard base-32 geohash).
func geohash(lat, lon float64, precision int) string {
	latLo, latHi := -90.0, 90.0
	lonLo, lonHi := -180.0, 180.0
	out := make([]byte, 0, precision)
	bit, ch, even := 0, 0, true
	for len(out) < precision {
		if even {
			mid := (lonLo + lonHi) / 2
			if lon >= mid {
				ch = ch<<1 | 1
				lonLo = mid
			} else {
				ch <<= 1
				lonHi = mid
			}
		} else {
			mid := (latLo + latHi) / 2
			if lat >= mid {
				ch = ch<<1 | 1
				latLo = mid
			} else {
				ch <<= 1
				latHi = mid
			}
		}
		even = !even
		if bit++; bit == 5 {
			out = append(out, geohashAlphabet[ch])
			bit, ch = 0, 0
		}
	}
	return string(out)
}
