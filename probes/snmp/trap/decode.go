package trap

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"github.com/gosnmp/gosnmp"
)

// decoders hold the gosnmp parameters one source's traps are decoded with.
// They are used by the listener's single worker only: UnmarshalTrap caches
// localized keys in them and is not safe for concurrent use.
type decoders struct {
	community []byte         // nil: v1/v2c not accepted
	v1v2      *gosnmp.GoSNMP // nil: v1/v2c not accepted
	v3        *gosnmp.GoSNMP // nil: v3 not accepted
	v3Flags   gosnmp.SnmpV3MsgFlags
}

func newDecoders(s *source) (*decoders, error) {
	d := &decoders{}
	if s.community != "" {
		d.community = []byte(s.community)
		d.v1v2 = &gosnmp.GoSNMP{Version: gosnmp.Version2c}
	}
	if s.v3 != nil {
		sp, flags, err := s.v3.USM()
		if err != nil {
			return nil, err
		}
		d.v3 = &gosnmp.GoSNMP{Version: gosnmp.Version3, SecurityModel: gosnmp.UserSecurityModel,
			MsgFlags: flags, SecurityParameters: sp, ContextName: s.v3.Context}
		d.v3Flags = flags
	}
	return d, nil
}

// dropError is a refused datagram: the reason label and a text for the log
// that names no credential.
type dropError struct {
	reason string
	msg    string
}

func (e *dropError) Error() string { return e.reason + ": " + e.msg }

func drop(reason, format string, args ...any) *dropError {
	return &dropError{reason, fmt.Sprintf(format, args...)}
}

// decode authenticates and decodes one datagram with the source's
// credentials. It returns a trap or inform PDU, or a *dropError.
func (d *decoders) decode(data []byte) (pkt *gosnmp.SnmpPacket, err error) {
	// gosnmp parses hostile bytes; a bug there must cost one datagram, not
	// the agent. The fuzz target checks that this path does not need it.
	defer func() {
		if r := recover(); r != nil {
			pkt, err = nil, drop(DropMalformed, "decoder panic: %v", r)
		}
	}()
	version, ok := peekVersion(data)
	if !ok {
		return nil, drop(DropMalformed, "not an SNMP message")
	}
	switch version {
	case int(gosnmp.Version1), int(gosnmp.Version2c):
		if d.v1v2 == nil {
			return nil, drop(DropVersion, "SNMP v1/v2c trap, but no community is configured for this source")
		}
		pkt, err = d.v1v2.UnmarshalTrap(data, false)
		if err != nil {
			return nil, drop(DropMalformed, "%v", err)
		}
		// gosnmp does not check the community; a wrong one must never pass.
		if subtle.ConstantTimeCompare([]byte(pkt.Community), d.community) != 1 {
			return nil, drop(DropCommunity, "wrong community")
		}
	case int(gosnmp.Version3):
		if d.v3 == nil {
			return nil, drop(DropVersion, "SNMPv3 trap, but no v3 user is configured for this source")
		}
		pkt, err = d.v3.UnmarshalTrap(data, true)
		if err != nil {
			return nil, v3Error(err, d.v3Flags, data)
		}
		// gosnmp authenticates only USM messages, and trusts the packet's
		// own flags: insist on USM and on the configured level, so an
		// authPriv user never accepts a cleartext or unsigned trap.
		if pkt.SecurityModel != gosnmp.UserSecurityModel {
			return nil, drop(DropV3Auth, "security model %d is not USM", pkt.SecurityModel)
		}
		if pkt.MsgFlags&gosnmp.AuthPriv < d.v3Flags&gosnmp.AuthPriv {
			return nil, drop(DropV3Auth, "security level %s is below the configured %s", pkt.MsgFlags&gosnmp.AuthPriv, d.v3Flags&gosnmp.AuthPriv)
		}
	default:
		return nil, drop(DropMalformed, "unknown SNMP version %d", version)
	}
	switch pkt.PDUType {
	case gosnmp.Trap, gosnmp.SNMPv2Trap, gosnmp.InformRequest:
	default:
		return nil, drop(DropNotTrap, "%s PDU sent to the trap port", pkt.PDUType)
	}
	return pkt, nil
}

// v3Error sorts a gosnmp v3 decode error into credentials versus garbage.
// gosnmp returns few sentinel errors on this path, so its texts are matched
// too; anything unrecognised counts as malformed.
//
// With an authPriv user, gosnmp verifies the digest before it decrypts, so
// a packet that claims privacy and fails past that point was signed with
// the right auth key but encrypted with another priv key: a credentials
// problem, not garbage.
func v3Error(err error, want gosnmp.SnmpV3MsgFlags, data []byte) *dropError {
	for _, e := range []error{gosnmp.ErrWrongDigest, gosnmp.ErrDecryption, gosnmp.ErrUnknownUsername,
		gosnmp.ErrUnknownSecurityLevel, gosnmp.ErrNotInTimeWindow, gosnmp.ErrUnknownEngineID} {
		if errors.Is(err, e) {
			return drop(DropV3Auth, "%v", err)
		}
	}
	msg := err.Error()
	for _, s := range []string{"not authentic", "unknown user name", "requires authentication", "decrypt", "no credentials"} {
		if strings.Contains(msg, s) {
			return drop(DropV3Auth, "%s", msg)
		}
	}
	if flags, ok := peekFlags(data); ok && want&gosnmp.AuthPriv == gosnmp.AuthPriv && flags&gosnmp.AuthPriv == gosnmp.AuthPriv {
		return drop(DropV3Auth, "decryption failed (check v3.priv_protocol and v3.priv_password): %s", msg)
	}
	return drop(DropMalformed, "%s", msg)
}

// peekVersion reads the msgVersion INTEGER at the start of an SNMP message
// (SEQUENCE { INTEGER version, ... }) without decoding the rest, to pick the
// credentials before gosnmp parses anything.
func peekVersion(b []byte) (int, bool) {
	body, _, ok := tlv(b, 0x30)
	if !ok {
		return 0, false
	}
	v, _, ok := tlv(body, 0x02)
	if !ok || len(v) != 1 {
		return 0, false
	}
	return int(v[0]), true
}

// peekFlags reads msgFlags of an SNMPv3 message:
// SEQUENCE { version, SEQUENCE { msgID, msgMaxSize, OCTET STRING flags, ... } }.
func peekFlags(b []byte) (gosnmp.SnmpV3MsgFlags, bool) {
	body, _, ok := tlv(b, 0x30)
	if !ok {
		return 0, false
	}
	_, rest, ok := tlv(body, 0x02) // msgVersion
	if !ok {
		return 0, false
	}
	global, _, ok := tlv(rest, 0x30)
	if !ok {
		return 0, false
	}
	for range 2 { // msgID, msgMaxSize
		if _, global, ok = tlv(global, 0x02); !ok {
			return 0, false
		}
	}
	f, _, ok := tlv(global, 0x04)
	if !ok || len(f) != 1 {
		return 0, false
	}
	return gosnmp.SnmpV3MsgFlags(f[0]), true
}

// tlv splits one BER element of the given tag off b: its contents and what
// follows. A length running past b is refused.
func tlv(b []byte, tag byte) (content, rest []byte, ok bool) {
	if len(b) < 2 || b[0] != tag {
		return nil, nil, false
	}
	n, i := int(b[1]), 2
	if b[1]&0x80 != 0 {
		k := int(b[1] & 0x7f)
		if k == 0 || k > 3 || len(b) < 2+k {
			return nil, nil, false
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		i += k
	}
	if n > len(b)-i {
		return nil, nil, false
	}
	return b[i : i+n], b[i+n:], true
}
