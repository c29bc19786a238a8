//! Reader/writer compatibility: every resolution rule, the registry's message
//! wording, and each compatibility level over multi-version histories.

use kafka_sim::schema::avro::ParsedSchema;
use kafka_sim::schema::compat::{
    can_read, check, check_level, CompatibilityLevel, Incompatibility, IncompatibilityType,
    PreviousVersion, Verdict,
};

fn schema(text: &str) -> ParsedSchema {
    ParsedSchema::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// A record named `name` with the given field JSON objects.
fn rec(name: &str, fields: &[&str]) -> ParsedSchema {
    schema(&format!(
        r#"{{"type":"record","name":"{name}","fields":[{}]}}"#,
        fields.join(",")
    ))
}

fn problems(
    reader: &ParsedSchema,
    writer: &ParsedSchema,
) -> Vec<(IncompatibilityType, String, String)> {
    match check(reader, writer) {
        Verdict::Compatible => Vec::new(),
        Verdict::Incompatible(list) => list
            .into_iter()
            .map(|i| (i.kind, i.location, i.message))
            .collect(),
        Verdict::Error(e) => panic!("unexpected error {e}"),
    }
}

fn one(
    kind: IncompatibilityType,
    location: &str,
    message: &str,
) -> Vec<(IncompatibilityType, String, String)> {
    vec![(kind, location.to_string(), message.to_string())]
}

use IncompatibilityType::*;

#[test]
fn added_field_needs_a_default_to_read_old_data() {
    let old = rec("U", &[r#"{"name":"name","type":"string"}"#]);
    let new = rec(
        "U",
        &[
            r#"{"name":"name","type":"string"}"#,
            r#"{"name":"age","type":"int"}"#,
        ],
    );
    assert_eq!(
        problems(&new, &old),
        one(ReaderFieldMissingDefaultValue, "/fields/1", "age")
    );
    let with_default = rec(
        "U",
        &[
            r#"{"name":"name","type":"string"}"#,
            r#"{"name":"age","type":"int","default":0}"#,
        ],
    );
    assert!(can_read(&with_default, &old));
    // The old schema can read data written with the new one: extra fields are skipped.
    assert!(can_read(&old, &new));
}

#[test]
fn removed_field_breaks_old_readers_without_a_default() {
    let old = rec(
        "U",
        &[
            r#"{"name":"a","type":"int"}"#,
            r#"{"name":"b","type":"string"}"#,
        ],
    );
    let new = rec("U", &[r#"{"name":"a","type":"int"}"#]);
    assert!(can_read(&new, &old), "new readers ignore b");
    assert_eq!(
        problems(&old, &new),
        one(ReaderFieldMissingDefaultValue, "/fields/1", "b")
    );
    let old_with_default = rec(
        "U",
        &[
            r#"{"name":"a","type":"int"}"#,
            r#"{"name":"b","type":"string","default":""}"#,
        ],
    );
    assert!(can_read(&old_with_default, &new));
}

#[test]
fn numeric_promotions_widen_only() {
    let widen = [
        ("int", "long"),
        ("int", "float"),
        ("int", "double"),
        ("long", "float"),
        ("long", "double"),
        ("float", "double"),
        ("string", "bytes"),
        ("bytes", "string"),
    ];
    for (w, r) in widen {
        assert!(
            can_read(&schema(&format!("\"{r}\"")), &schema(&format!("\"{w}\""))),
            "{w} → {r}"
        );
    }
    let narrow = [
        ("long", "int"),
        ("double", "float"),
        ("float", "long"),
        ("int", "string"),
        ("boolean", "int"),
        ("null", "string"),
    ];
    for (w, r) in narrow {
        let found = problems(&schema(&format!("\"{r}\"")), &schema(&format!("\"{w}\"")));
        assert_eq!(
            found,
            one(
                TypeMismatch,
                "/",
                &format!(
                    "reader type: {} not compatible with writer type: {}",
                    r.to_uppercase(),
                    w.to_uppercase()
                )
            ),
            "{w} → {r}"
        );
    }
}

#[test]
fn field_type_changes_point_at_the_field() {
    let old = rec(
        "O",
        &[
            r#"{"name":"id","type":"string"}"#,
            r#"{"name":"qty","type":"long"}"#,
        ],
    );
    let new = rec(
        "O",
        &[
            r#"{"name":"id","type":"string"}"#,
            r#"{"name":"qty","type":"int"}"#,
        ],
    );
    assert_eq!(
        problems(&new, &old),
        one(
            TypeMismatch,
            "/fields/1/type",
            "reader type: INT not compatible with writer type: LONG"
        )
    );
    assert!(can_read(&old, &new), "old readers widen int to long");
}

#[test]
fn every_problem_is_reported_in_order() {
    let old = rec(
        "O",
        &[
            r#"{"name":"a","type":"double"}"#,
            r#"{"name":"b","type":"int"}"#,
        ],
    );
    let new = rec(
        "O",
        &[
            r#"{"name":"a","type":"string"}"#,
            r#"{"name":"b","type":"int"}"#,
            r#"{"name":"c","type":"int"}"#,
            r#"{"name":"d","type":"int"}"#,
        ],
    );
    assert_eq!(
        problems(&new, &old),
        vec![
            (
                TypeMismatch,
                "/fields/0/type".to_string(),
                "reader type: STRING not compatible with writer type: DOUBLE".to_string()
            ),
            (
                ReaderFieldMissingDefaultValue,
                "/fields/2".to_string(),
                "c".to_string()
            ),
            (
                ReaderFieldMissingDefaultValue,
                "/fields/3".to_string(),
                "d".to_string()
            ),
        ]
    );
}

#[test]
fn enums_need_every_writer_symbol_unless_the_reader_has_a_default() {
    let w = rec(
        "R",
        &[r#"{"name":"s","type":{"type":"enum","name":"S","symbols":["A","B","D","C"]}}"#],
    );
    let r = rec(
        "R",
        &[r#"{"name":"s","type":{"type":"enum","name":"S","symbols":["A","B"]}}"#],
    );
    assert_eq!(
        problems(&r, &w),
        one(MissingEnumSymbols, "/fields/0/type/symbols", "[C, D]")
    );
    let with_default = rec(
        "R",
        &[
            r#"{"name":"s","type":{"type":"enum","name":"S","symbols":["A","B","OTHER"],"default":"OTHER"}}"#,
        ],
    );
    assert!(can_read(&with_default, &w));
    assert!(
        can_read(&w, &r),
        "adding symbols is fine for the writer side"
    );
}

#[test]
fn unions_are_checked_branch_by_branch() {
    let field = |ty: &str| rec("R", &[&format!(r#"{{"name":"f","type":{ty}}}"#)]);
    // Reader union gains a branch: fine. Loses one: that writer branch is missing.
    assert!(can_read(
        &field(r#"["null","string","int"]"#),
        &field(r#"["null","string"]"#)
    ));
    assert_eq!(
        problems(&field(r#"["null","int"]"#), &field(r#"["null","string"]"#)),
        one(
            MissingUnionBranch,
            "/fields/0/type/1",
            "reader union lacking writer type: STRING"
        )
    );
    // Plain writer, union reader: some branch must read it (promotion counts).
    assert!(can_read(
        &field(r#"["null","string"]"#),
        &field(r#""string""#)
    ));
    assert!(can_read(&field(r#"["null","long"]"#), &field(r#""int""#)));
    assert_eq!(
        problems(&field(r#"["null","string"]"#), &field(r#""int""#)),
        one(
            MissingUnionBranch,
            "/fields/0/type",
            "reader union lacking writer type: INT"
        )
    );
    // Union writer, plain reader: every writer branch must be readable.
    assert_eq!(
        problems(&field(r#""int""#), &field(r#"["null","int"]"#)),
        one(
            TypeMismatch,
            "/fields/0/type/0",
            "reader type: INT not compatible with writer type: NULL"
        )
    );
    assert!(can_read(&field(r#""long""#), &field(r#"["int","long"]"#)));
}

#[test]
fn names_must_match_or_be_a_reader_alias() {
    let w = schema(r#"{"type":"record","name":"Old","namespace":"a","fields":[]}"#);
    let renamed = schema(r#"{"type":"record","name":"New","namespace":"a","fields":[]}"#);
    assert_eq!(
        problems(&renamed, &w),
        one(NameMismatch, "/name", "expected: a.Old")
    );
    let aliased =
        schema(r#"{"type":"record","name":"New","namespace":"a","aliases":["Old"],"fields":[]}"#);
    assert!(can_read(&aliased, &w));
    // Apache Avro's SchemaCompatibility.schemaNameEquals (lang/java, 1.12 and
    // later) compares unqualified names: a move to another namespace alone is
    // compatible. (Before, full names had to match.)
    let moved = schema(r#"{"type":"record","name":"Old","namespace":"b","fields":[]}"#);
    assert!(can_read(&moved, &w));
    // A reader alias is qualified with the reader's namespace: "Old" in "b"
    // means b.Old, which is not the writer a.Old; the full name works.
    let alias_elsewhere =
        schema(r#"{"type":"record","name":"New","namespace":"b","aliases":["Old"],"fields":[]}"#);
    assert_eq!(
        problems(&alias_elsewhere, &w),
        one(NameMismatch, "/name", "expected: a.Old")
    );
    let alias_full =
        schema(r#"{"type":"record","name":"New","namespace":"b","aliases":["a.Old"],"fields":[]}"#);
    assert!(can_read(&alias_full, &w));
    let nested_w = rec(
        "R",
        &[r#"{"name":"e","type":{"type":"enum","name":"E1","symbols":["A"]}}"#],
    );
    let nested_r = rec(
        "R",
        &[r#"{"name":"e","type":{"type":"enum","name":"E2","symbols":["A"]}}"#],
    );
    assert_eq!(
        problems(&nested_r, &nested_w),
        one(NameMismatch, "/fields/0/type/name", "expected: E1")
    );
}

#[test]
fn field_aliases_let_a_reader_rename_a_field() {
    let w = rec("U", &[r#"{"name":"fullName","type":"string"}"#]);
    let r = rec(
        "U",
        &[r#"{"name":"name","type":"string","aliases":["fullName"]}"#],
    );
    assert!(can_read(&r, &w));
    let no_alias = rec("U", &[r#"{"name":"name","type":"string"}"#]);
    assert_eq!(
        problems(&no_alias, &w),
        one(ReaderFieldMissingDefaultValue, "/fields/0", "name")
    );
    // A name and an alias that match two different writer fields is an error in Avro.
    let w2 = rec(
        "U",
        &[
            r#"{"name":"name","type":"string"}"#,
            r#"{"name":"fullName","type":"string"}"#,
        ],
    );
    match check(&r, &w2) {
        Verdict::Error(e) => assert_eq!(
            e,
            "Reader record field name matches multiple fields in writer record schema U"
        ),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn fixed_sizes_and_names_must_agree() {
    let w = rec(
        "R",
        &[r#"{"name":"h","type":{"type":"fixed","name":"H","size":4}}"#],
    );
    let bigger = rec(
        "R",
        &[r#"{"name":"h","type":{"type":"fixed","name":"H","size":8}}"#],
    );
    assert_eq!(
        problems(&bigger, &w),
        one(
            FixedSizeMismatch,
            "/fields/0/type/size",
            "expected: 4, found: 8"
        )
    );
    let renamed = rec(
        "R",
        &[r#"{"name":"h","type":{"type":"fixed","name":"G","size":4}}"#],
    );
    assert_eq!(
        problems(&renamed, &w),
        one(NameMismatch, "/fields/0/type/name", "expected: H")
    );
}

#[test]
fn arrays_and_maps_point_at_items_and_values() {
    let w = rec(
        "R",
        &[
            r#"{"name":"xs","type":{"type":"array","items":"long"}}"#,
            r#"{"name":"m","type":{"type":"map","values":"string"}}"#,
        ],
    );
    let r = rec(
        "R",
        &[
            r#"{"name":"xs","type":{"type":"array","items":"int"}}"#,
            r#"{"name":"m","type":{"type":"map","values":"int"}}"#,
        ],
    );
    assert_eq!(
        problems(&r, &w),
        vec![
            (
                TypeMismatch,
                "/fields/0/type/items".to_string(),
                "reader type: INT not compatible with writer type: LONG".to_string()
            ),
            (
                TypeMismatch,
                "/fields/1/type/values".to_string(),
                "reader type: INT not compatible with writer type: STRING".to_string()
            ),
        ]
    );
}

#[test]
fn recursive_types_terminate() {
    let list = |extra: &str| {
        schema(&format!(
            r#"{{"type":"record","name":"Node","fields":[{{"name":"v","type":"int"}},{{"name":"next","type":["null","Node"]}}{extra}]}}"#
        ))
    };
    let v1 = list("");
    let v2 = list(r#",{"name":"w","type":"long","default":0}"#);
    let v3 = list(r#",{"name":"w","type":"long"}"#);
    assert!(can_read(&v2, &v1));
    assert!(can_read(&v1, &v2));
    assert_eq!(
        problems(&v3, &v1),
        one(ReaderFieldMissingDefaultValue, "/fields/2", "w")
    );
    // Mutually recursive pair.
    let tree = schema(
        r#"{"type":"record","name":"T","fields":[{"name":"kids","type":{"type":"array","items":"T"}},{"name":"label","type":"string"}]}"#,
    );
    let tree2 = schema(
        r#"{"type":"record","name":"T","fields":[{"name":"kids","type":{"type":"array","items":"T"}},{"name":"label","type":"bytes"}]}"#,
    );
    assert!(can_read(&tree2, &tree));
}

#[test]
fn enum_reader_field_without_writer_field_is_a_type_mismatch_as_in_avro() {
    // Avro compares such a field's enum against the writer record itself.
    let w = rec("R", &[r#"{"name":"a","type":"int"}"#]);
    let r = rec(
        "R",
        &[
            r#"{"name":"a","type":"int"}"#,
            r#"{"name":"e","type":{"type":"enum","name":"E","symbols":["X"],"default":"X"}}"#,
        ],
    );
    assert_eq!(
        problems(&r, &w),
        one(
            TypeMismatch,
            "/fields/1/type",
            "reader type: ENUM not compatible with writer type: RECORD"
        )
    );
}

#[test]
fn descriptions_match_the_registry_wording() {
    let inc = |kind, location: &str, message: &str| Incompatibility {
        kind,
        location: location.to_string(),
        message: message.to_string(),
    };
    assert_eq!(
        inc(ReaderFieldMissingDefaultValue, "/fields/1", "age").describe("new", "old"),
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'age' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'age'}"
    );
    assert_eq!(
        inc(TypeMismatch, "/", "reader type: BOOLEAN not compatible with writer type: INT").describe("new", "old"),
        "{errorType:'TYPE_MISMATCH', description:'The type (path '/') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: BOOLEAN not compatible with writer type: INT'}"
    );
    assert_eq!(
        inc(MissingEnumSymbols, "/symbols", "[C]").describe("old", "new"),
        "{errorType:'MISSING_ENUM_SYMBOLS', description:'The old schema is missing enum symbols '[C]' at path '/symbols' in the new schema', additionalInfo:'[C]'}"
    );
    assert_eq!(
        inc(NameMismatch, "/name", "expected: a.B").describe("new", "old"),
        "{errorType:'NAME_MISMATCH', description:'The name of the schema has changed (path '/name')', additionalInfo:'expected: a.B'}"
    );
    assert_eq!(
        inc(FixedSizeMismatch, "/size", "expected: 4, found: 8").describe("new", "old"),
        "{errorType:'FIXED_SIZE_MISMATCH', description:'The size of FIXED type field at path '/size' in the new schema does not match with the old schema', additionalInfo:'expected: 4, found: 8'}"
    );
    assert_eq!(
        inc(MissingUnionBranch, "/1", "reader union lacking writer type: STRING").describe("new", "old"),
        "{errorType:'MISSING_UNION_BRANCH', description:'The new schema is missing a type inside a union field at path '/1' in the old schema', additionalInfo:'reader union lacking writer type: STRING'}"
    );
}

fn history(texts: &[&str]) -> Vec<ParsedSchema> {
    texts.iter().map(|t| schema(t)).collect()
}

fn run(level: CompatibilityLevel, new: &ParsedSchema, old: &[ParsedSchema]) -> Vec<String> {
    let prev: Vec<PreviousVersion<'_>> = old
        .iter()
        .enumerate()
        .map(|(i, s)| PreviousVersion {
            version: u32::try_from(i + 1).expect("small"),
            schema: s,
        })
        .collect();
    check_level(level, new, &prev)
}

const A: &str = r#"{"name":"a","type":"int"}"#;
const B_REQUIRED: &str = r#"{"name":"b","type":"string"}"#;
const B_DEFAULT: &str = r#"{"name":"b","type":"string","default":"x"}"#;

fn u(fields: &[&str]) -> String {
    format!(
        r#"{{"type":"record","name":"U","fields":[{}]}}"#,
        fields.join(",")
    )
}

#[test]
fn backward_checks_the_latest_and_transitive_checks_all() {
    // v1 {a}; v2 {a, b with default}; candidate {a, b required}.
    let old = history(&[&u(&[A]), &u(&[A, B_DEFAULT])]);
    let new = schema(&u(&[A, B_REQUIRED]));
    assert!(
        run(CompatibilityLevel::Backward, &new, &old).is_empty(),
        "v2 data always has b"
    );
    let msgs = run(CompatibilityLevel::BackwardTransitive, &new, &old);
    assert_eq!(
        msgs,
        vec![
            "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'b'}".to_string(),
            "{oldSchemaVersion: 1}".to_string(),
            r#"{oldSchema: '{"type":"record","name":"U","fields":[{"name":"a","type":"int"}]}'}"#.to_string(),
            "{validateFields: 'false', compatibility: 'BACKWARD_TRANSITIVE'}".to_string(),
        ]
    );
    assert!(run(CompatibilityLevel::None, &new, &old).is_empty());
}

#[test]
fn forward_checks_the_latest_and_transitive_checks_all() {
    // v1 {a, b required}; v2 {a, b with default}; candidate {a}: v2 readers
    // fill b in, v1 readers cannot.
    let old = history(&[&u(&[A, B_REQUIRED]), &u(&[A, B_DEFAULT])]);
    let new = schema(&u(&[A]));
    assert!(run(CompatibilityLevel::Forward, &new, &old).is_empty());
    let msgs = run(CompatibilityLevel::ForwardTransitive, &new, &old);
    assert_eq!(
        msgs.first().map(String::as_str),
        Some("{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the old schema has no default value and is missing in the new schema', additionalInfo:'b'}")
    );
    assert_eq!(
        msgs.get(1).map(String::as_str),
        Some("{oldSchemaVersion: 1}")
    );
    assert_eq!(
        msgs.last().map(String::as_str),
        Some("{validateFields: 'false', compatibility: 'FORWARD_TRANSITIVE'}")
    );
    // Backward is happy with the same candidate: new readers ignore b.
    assert!(run(CompatibilityLevel::BackwardTransitive, &new, &old).is_empty());
}

#[test]
fn full_checks_both_ways_and_transitive_checks_all() {
    let old = history(&[&u(&[A, B_REQUIRED]), &u(&[A, B_DEFAULT])]);
    let new = schema(&u(&[A]));
    assert!(run(CompatibilityLevel::Full, &new, &old).is_empty());
    // Only the forward direction fails against v1; the registry appends the
    // old schema only after backward problems, so none is quoted here.
    assert_eq!(
        run(CompatibilityLevel::FullTransitive, &new, &old),
        vec![
            "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the old schema has no default value and is missing in the new schema', additionalInfo:'b'}".to_string(),
            "{validateFields: 'false', compatibility: 'FULL_TRANSITIVE'}".to_string(),
        ]
    );
    // Both directions failing: forward messages first, then backward ones
    // with the old version and schema.
    let v1 = history(&[&u(&[A])]);
    let both = schema(&u(&[r#"{"name":"a","type":"long"}"#, B_REQUIRED]));
    let msgs = run(CompatibilityLevel::Full, &both, &v1);
    assert_eq!(msgs.len(), 5, "{msgs:?}");
    assert!(
        msgs[0].contains("TYPE_MISMATCH")
            && msgs[0].contains("in the old schema does not match with the new schema"),
        "{msgs:?}"
    );
    assert!(
        msgs[1].contains("READER_FIELD_MISSING_DEFAULT_VALUE") && msgs[1].contains("'b'"),
        "{msgs:?}"
    );
    assert_eq!(msgs[2], "{oldSchemaVersion: 1}");
    assert!(msgs[3].starts_with("{oldSchema: '"));
    assert_eq!(msgs[4], "{validateFields: 'false', compatibility: 'FULL'}");
}

#[test]
fn transitive_levels_report_the_newest_failing_version_only() {
    // v1 and v2 both lack c; the candidate requires it: v2 is reported.
    let old = history(&[&u(&[A]), &u(&[A, B_DEFAULT])]);
    let new = schema(&u(&[A, B_DEFAULT, r#"{"name":"c","type":"int"}"#]));
    let msgs = run(CompatibilityLevel::BackwardTransitive, &new, &old);
    assert_eq!(
        msgs.get(1).map(String::as_str),
        Some("{oldSchemaVersion: 2}")
    );
    assert_eq!(msgs.len(), 4);
}

#[test]
fn levels_parse_case_insensitively() {
    assert_eq!(
        CompatibilityLevel::parse("full_transitive"),
        Some(CompatibilityLevel::FullTransitive)
    );
    assert_eq!(
        CompatibilityLevel::parse("Backward"),
        Some(CompatibilityLevel::Backward)
    );
    assert_eq!(CompatibilityLevel::parse("SIDEWAYS"), None);
    for l in CompatibilityLevel::ALL {
        assert_eq!(CompatibilityLevel::parse(l.name()), Some(l));
    }
}
