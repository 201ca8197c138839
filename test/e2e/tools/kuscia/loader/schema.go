package main

// --schema: the YAML shape of kuscia.yaml as gopkg.in/yaml.v3 decodes it into Kuscia's
// structs, per mode, read from the Go types by reflection with yaml.v3's own field rules
// (yaml.v3 getStructInfo: the `yaml` tag's name and `inline`/`-`, the lower-cased field
// name when there is no tag, unexported fields skipped). The rule book keeps a copy of
// this shape as data (policy/kinds/nodeconfig-types.ts); the e2e test holds the two equal.

import (
	"encoding"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/secretflow/kuscia/cmd/kuscia/confloader"
)

// Shape is one Go type as the YAML decoder sees it.
type Shape struct {
	Kind   string            `json:"kind"`
	Bits   int               `json:"bits,omitempty"`
	Type   string            `json:"type,omitempty"`
	Elem   *Shape            `json:"elem,omitempty"`
	Key    *Shape            `json:"key,omitempty"`
	Fields map[string]*Shape `json:"fields,omitempty"`
	// Via names the interface a custom type decodes through: yaml.v3 Unmarshaler,
	// the yaml.v2-style obsoleteUnmarshaler, or encoding.TextUnmarshaler (scalars only).
	Via string `json:"via,omitempty"`
}

var (
	unmarshalerType         = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	obsoleteUnmarshalerType = reflect.TypeOf((*interface {
		UnmarshalYAML(func(interface{}) error) error
	})(nil)).Elem()
	textUnmarshalerType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	durationType        = reflect.TypeOf(time.Duration(0))
	timeType            = reflect.TypeOf(time.Time{})
	nodeType            = reflect.TypeOf(yaml.Node{})
)

// Schema is the --schema output: each named struct type once, and the root type of each
// decoding step (a `ref` into types).
type Schema struct {
	Modes map[string]*Shape `json:"modes"`
	Types map[string]*Shape `json:"types"`
}

// configSchema: the common part every configuration is first decoded into
// (confloader.LoadCommonConfig), and each mode's struct (LoadLiteConfig, LoadMasterConfig,
// LoadAutonomyConfig).
func configSchema() *Schema {
	types := map[string]*Shape{}
	return &Schema{
		Modes: map[string]*Shape{
			"common":   shapeOf(reflect.TypeOf(confloader.CommonConfig{}), types),
			"lite":     shapeOf(reflect.TypeOf(confloader.LiteKusciaConfig{}), types),
			"master":   shapeOf(reflect.TypeOf(confloader.MasterKusciaConfig{}), types),
			"autonomy": shapeOf(reflect.TypeOf(confloader.AutonomyKusciaConfig{}), types),
		},
		Types: types,
	}
}

func typeName(t reflect.Type) string {
	if t.PkgPath() == "" {
		return t.String()
	}
	return t.PkgPath() + "." + t.Name()
}

// shapeOf describes t; a named struct type goes into types once and is referred to.
func shapeOf(t reflect.Type, types map[string]*Shape) *Shape {
	// yaml.v3 decoder.prepare: a custom unmarshaler is looked up on *T before the kind.
	if t.Kind() != reflect.Ptr && t.Kind() != reflect.Interface {
		pt := reflect.PointerTo(t)
		switch {
		case pt.Implements(unmarshalerType):
			return &Shape{Kind: "custom", Type: typeName(t), Via: "yaml.Unmarshaler"}
		case pt.Implements(obsoleteUnmarshalerType):
			return &Shape{Kind: "custom", Type: typeName(t), Via: "obsoleteUnmarshaler"}
		}
	}
	switch {
	case t == durationType:
		return &Shape{Kind: "duration"}
	case t == timeType:
		return &Shape{Kind: "time"}
	case t == nodeType:
		return &Shape{Kind: "node"}
	}
	var s *Shape
	switch t.Kind() {
	case reflect.String:
		s = &Shape{Kind: "string"}
	case reflect.Bool:
		s = &Shape{Kind: "bool"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s = &Shape{Kind: "int", Bits: t.Bits()}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		s = &Shape{Kind: "uint", Bits: t.Bits()}
	case reflect.Float32, reflect.Float64:
		s = &Shape{Kind: "float", Bits: t.Bits()}
	case reflect.Interface:
		// interface{} takes any value; an interface with methods takes none yaml.v3 can
		// build (decoder.scalar/mapping Set a value of the wrong type: reflect panics).
		if t.NumMethod() > 0 {
			s = &Shape{Kind: "iface", Type: t.String()}
		} else {
			s = &Shape{Kind: "any"}
		}
	case reflect.Ptr:
		s = &Shape{Kind: "ptr", Elem: shapeOf(t.Elem(), types)}
	case reflect.Slice:
		s = &Shape{Kind: "slice", Elem: shapeOf(t.Elem(), types)}
	case reflect.Array:
		s = &Shape{Kind: "array", Bits: t.Len(), Elem: shapeOf(t.Elem(), types)}
	case reflect.Map:
		s = &Shape{Kind: "map", Key: shapeOf(t.Key(), types), Elem: shapeOf(t.Elem(), types)}
	case reflect.Struct:
		st := &Shape{Kind: "struct", Type: typeName(t), Fields: map[string]*Shape{}}
		if t.Name() == "" {
			addFields(st, t, types)
			s = st
			break
		}
		if _, seen := types[st.Type]; !seen {
			types[st.Type] = st
			addFields(st, t, types)
			if reflect.PointerTo(t).Implements(textUnmarshalerType) {
				st.Via = "encoding.TextUnmarshaler"
			}
		}
		return &Shape{Kind: "ref", Type: st.Type}
	default:
		s = &Shape{Kind: "unsupported", Type: t.String()}
	}
	if t.Kind() != reflect.Ptr && t.Kind() != reflect.Interface && reflect.PointerTo(t).Implements(textUnmarshalerType) {
		s.Via = "encoding.TextUnmarshaler"
		s.Type = typeName(t)
	}
	return s
}

// addFields: yaml.v3 getStructInfo.
func addFields(s *Shape, t reflect.Type, types map[string]*Shape) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.PkgPath != "" && !f.Anonymous {
			continue // unexported
		}
		tag := f.Tag.Get("yaml")
		if tag == "" && !strings.Contains(string(f.Tag), ":") {
			tag = string(f.Tag)
		}
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		inline := false
		for _, o := range strings.Split(opts, ",") {
			if o == "inline" {
				inline = true
			}
		}
		if inline {
			ft := f.Type
			if ft.Kind() == reflect.Ptr {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(s, ft, types)
				continue
			}
			// An inline map collects every other key.
			s.Fields["*"] = shapeOf(f.Type, types)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		s.Fields[name] = shapeOf(f.Type, types)
	}
}
