package store

import (
	"reflect"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm/schema"
)

// TestCommentColumns: the comment's insert is written out, not built from
// commentRow by reflection, so a field added to commentRow and left out of
// commentColumns and values() would be stored as the column's default.
// Both must name every field, in the struct's order.
func TestCommentColumns(t *testing.T) {
	sch, err := schema.Parse(&commentRow{}, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range sch.Fields {
		if f.DBName != "" {
			want = append(want, f.DBName)
		}
	}
	var got []string
	for _, c := range strings.Split(commentColumns, ",") {
		got = append(got, strings.TrimSpace(c))
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("commentColumns = %v,\nthe fields of commentRow: %v", got, want)
	}
	if n := len(commentRow{}.values()); n != len(want) {
		t.Fatalf("values() gives %d values for %d columns", n, len(want))
	}
	if n := strings.Count(commentPlaceholders, "?"); n != len(want) {
		t.Fatalf("%d placeholders for %d columns", n, len(want))
	}
	// values() in the order of the columns: each field's value where its
	// column is named.
	row := commentRow{}
	rv := reflect.ValueOf(&row).Elem()
	for i := range rv.NumField() {
		f := rv.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(sch.Fields[i].DBName)
		case reflect.Int:
			f.SetInt(int64(1000 + i))
		}
	}
	for i, v := range row.values() {
		switch v := v.(type) {
		case string:
			if v != want[i] {
				t.Errorf("value %d (column %s) is the field %s", i, want[i], v)
			}
		case int:
			if v != 1000+i {
				t.Errorf("value %d (column %s) is field %d", i, want[i], v-1000)
			}
		}
	}
}
