package redisx

import (
	"strconv"
	"strings"

	"github.com/redis-memtop/redis-memtop/model"
)

// keydbOnlyKeys are INFO keys only KeyDB prints (reference §4, §11.21);
// "features" (Server section, features:cluster_mget) is added so that an
// "INFO server" probe alone can tell KeyDB.
var keydbOnlyKeys = []string{"mvcc_depth", "storage_provider", "server_threads", "features"}

// DetectProduct names the server family and its real version from INFO, in
// the order reference/redis-info-fields.md §11.21 gives, because
// redis_version lies on Valkey (frozen at 7.2.4) and Dragonfly (fake):
// dragonfly_version, then server_name:valkey / valkey_version, then the
// KeyDB-only keys, then os:Amazon ElastiCache|MemoryDB, and only then
// redis_version. Without any of these the product is unknown.
func DetectProduct(info Info) (model.Product, string) {
	redisVersion, hasRedisVersion := info.Get("redis_version")
	redisVersion = strings.TrimSpace(redisVersion)

	if v, ok := info.Get("dragonfly_version"); ok {
		return model.ProductDragonfly, trimDragonflyVersion(v)
	}
	if strings.HasPrefix(redisVersion, "df-") {
		return model.ProductDragonfly, trimDragonflyVersion(redisVersion) // pre-1.0 builds: redis_version:df-dev
	}
	name, _ := info.Get("server_name")
	if vv, ok := info.Get("valkey_version"); ok || strings.EqualFold(strings.TrimSpace(name), "valkey") {
		vv = strings.TrimSpace(vv)
		if vv == "" {
			vv = redisVersion
		}
		return model.ProductValkey, vv
	}
	for _, k := range keydbOnlyKeys {
		if _, ok := info.Get(k); ok {
			return model.ProductKeyDB, redisVersion // KeyDB reports its own version there
		}
	}
	if osName, ok := info.Get("os"); ok {
		switch {
		case strings.Contains(osName, "Amazon ElastiCache"):
			return model.ProductElastiCache, redisVersion
		case strings.Contains(osName, "Amazon MemoryDB"):
			return model.ProductMemoryDB, redisVersion
		}
	}
	if hasRedisVersion && redisVersion != "" {
		return model.ProductRedis, redisVersion
	}
	return model.ProductUnknown, ""
}

func trimDragonflyVersion(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "df-")
	return strings.TrimPrefix(v, "v")
}

// ServerMode returns redis_mode, or server_mode on Valkey 8+ (standalone,
// cluster, sentinel); "" when neither is printed.
func ServerMode(info Info) string {
	if m, ok := info.Get("redis_mode"); ok {
		return strings.TrimSpace(m)
	}
	if m, ok := info.Get("server_mode"); ok {
		return strings.TrimSpace(m)
	}
	return ""
}

// Server modes as redis_mode / server_mode report them.
const (
	ModeStandalone = "standalone"
	ModeCluster    = "cluster"
	ModeSentinel   = "sentinel"
)

// Version is a parsed major.minor.patch; unparsed parts are 0.
type Version struct {
	Major, Minor, Patch int
}

// ParseVersion reads "7.0.15", "v1.27.1", "8.0.1-rc1" and the like; ok is
// false when not even the major number parses.
func ParseVersion(s string) (Version, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	parts := strings.SplitN(s, ".", 3)
	var out [3]int
	for i, p := range parts {
		end := 0
		for end < len(p) && p[end] >= '0' && p[end] <= '9' {
			end++
		}
		n, err := strconv.Atoi(p[:end])
		if err != nil {
			if i == 0 {
				return Version{}, false
			}
			break
		}
		out[i] = n
		if end < len(p) {
			break // "1-rc1": stop at the suffix
		}
	}
	return Version{out[0], out[1], out[2]}, true
}

// AtLeast reports whether v >= major.minor.patch.
func (v Version) AtLeast(major, minor, patch int) bool {
	if v.Major != major {
		return v.Major > major
	}
	if v.Minor != minor {
		return v.Minor > minor
	}
	return v.Patch >= patch
}

func (v Version) String() string {
	return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor) + "." + strconv.Itoa(v.Patch)
}
