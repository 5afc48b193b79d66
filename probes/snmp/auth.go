package snmp

import (
	"fmt"
	"strings"

	"github.com/gosnmp/gosnmp"
)

// Security levels as written in config (net-snmp's spelling, matched
// case-insensitively).
const (
	LevelNoAuthNoPriv = "noAuthNoPriv"
	LevelAuthNoPriv   = "authNoPriv"
	LevelAuthPriv     = "authPriv"
)

var authProtocols = map[string]gosnmp.SnmpV3AuthProtocol{
	"MD5": gosnmp.MD5, "SHA": gosnmp.SHA, "SHA1": gosnmp.SHA,
	"SHA-224": gosnmp.SHA224, "SHA224": gosnmp.SHA224,
	"SHA-256": gosnmp.SHA256, "SHA256": gosnmp.SHA256,
	"SHA-384": gosnmp.SHA384, "SHA384": gosnmp.SHA384,
	"SHA-512": gosnmp.SHA512, "SHA512": gosnmp.SHA512,
}

var privProtocols = map[string]gosnmp.SnmpV3PrivProtocol{
	"DES": gosnmp.DES, "AES": gosnmp.AES, "AES-128": gosnmp.AES, "AES128": gosnmp.AES,
	"AES-192": gosnmp.AES192, "AES192": gosnmp.AES192,
	"AES-256": gosnmp.AES256, "AES256": gosnmp.AES256,
	"AES-192C": gosnmp.AES192C, "AES192C": gosnmp.AES192C,
	"AES-256C": gosnmp.AES256C, "AES256C": gosnmp.AES256C,
}

// level returns the canonical level name, or "" if s is none.
func level(s string) string {
	for _, l := range []string{LevelNoAuthNoPriv, LevelAuthNoPriv, LevelAuthPriv} {
		if strings.EqualFold(s, l) {
			return l
		}
	}
	return ""
}

// USM builds gosnmp's security parameters for the user and the message flags
// of its level. The caller has validated v (see checkV3).
func (v *V3) USM() (*gosnmp.UsmSecurityParameters, gosnmp.SnmpV3MsgFlags, error) {
	sp := &gosnmp.UsmSecurityParameters{UserName: v.User}
	var flags gosnmp.SnmpV3MsgFlags
	switch level(v.Level) {
	case LevelNoAuthNoPriv:
		flags = gosnmp.NoAuthNoPriv
	case LevelAuthNoPriv:
		flags = gosnmp.AuthNoPriv
	case LevelAuthPriv:
		flags = gosnmp.AuthPriv
	default:
		return nil, 0, fmt.Errorf("unknown security level %q", v.Level)
	}
	if flags&gosnmp.AuthNoPriv != 0 {
		p, ok := authProtocols[strings.ToUpper(v.AuthProtocol)]
		if !ok {
			return nil, 0, fmt.Errorf("unknown auth_protocol %q", v.AuthProtocol)
		}
		sp.AuthenticationProtocol = p
		sp.AuthenticationPassphrase = string(v.AuthPassword)
	} else {
		sp.AuthenticationProtocol = gosnmp.NoAuth
	}
	if flags&gosnmp.AuthPriv == gosnmp.AuthPriv {
		p, ok := privProtocols[strings.ToUpper(v.PrivProtocol)]
		if !ok {
			return nil, 0, fmt.Errorf("unknown priv_protocol %q", v.PrivProtocol)
		}
		sp.PrivacyProtocol = p
		sp.PrivacyPassphrase = string(v.PrivPassword)
	} else {
		sp.PrivacyProtocol = gosnmp.NoPriv
	}
	return sp, flags, nil
}

// snmpVersion maps the config spelling to gosnmp's.
func snmpVersion(s string) (gosnmp.SnmpVersion, bool) {
	switch s {
	case "1":
		return gosnmp.Version1, true
	case "2c", "":
		return gosnmp.Version2c, true
	case "3":
		return gosnmp.Version3, true
	}
	return 0, false
}

// scrub replaces every non-empty secret in msg. gosnmp's errors do not carry
// credentials today; this keeps it so if one ever does.
func scrub(msg string, secrets []string) string {
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "<redacted>")
		}
	}
	return msg
}
