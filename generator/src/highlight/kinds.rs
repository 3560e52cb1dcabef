//! What each node kind of a grammar means to the highlighter: a class of its
//! own (`string_literal` → `string`), or a role that lets the walk decide from
//! context (the `name` of a `function_item` is a function).
//!
//! The rules go by kind *names*, which tree-sitter grammars share by
//! convention, so one table serves every language; the few names that mean
//! something else in one grammar are checked together with the language.

/// What a node kind does for the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Nothing of its own; children are visited.
    Plain,
    /// Always this class (a comment, a number, a keyword token…).
    Class(&'static str),
    /// A string: this class, and the walk goes on inside it for escapes and
    /// interpolated code.
    Text,
    /// An identifier: its class comes from where it stands, else from its
    /// case, else this default (`field_identifier` → property).
    Ident(Option<&'static str>),
    /// Defines a function or method; its `name` child is a function.
    FnDef,
    /// Defines a class or type; its `name` child is a type.
    TypeDef,
    /// A call; its `function` (or `constructor`) child is the callee.
    Call,
    /// `a.b`, `a::b`, `f::<T>`: when it is a callee, its last part is the
    /// function.
    Access,
    /// A macro call (Rust); its `macro` child is a macro.
    Macro,
    /// A key-value pair (JSON, YAML); its `key` child is a property.
    Pair,
    /// `let f = () => …` (JavaScript): the name is a function when the value
    /// is one.
    VarDecl,
    /// Interpolated code inside a string: `${…}`, `{…}`, `$(…)`.
    Code,
}

/// The role of a node kind, from its name and whether it is named.
pub fn role(lang: &str, kind: &str, named: bool) -> Role {
    if !named {
        return anonymous(kind);
    }
    if lang == "sql"
        && let Some(r) = sql(kind)
    {
        return r;
    }
    if lang == "diff" {
        return match kind {
            "addition" => Role::Class("diff-add"),
            "deletion" => Role::Class("diff-delete"),
            "location" | "linerange" => Role::Class("label"),
            "command" | "filename" | "old_file" | "new_file" => Role::Class("title"),
            _ => Role::Plain,
        };
    }
    use Role::*;
    match kind {
        // identifiers: context decides
        "identifier" => Ident(None),
        "field_identifier"
        | "property_identifier"
        | "shorthand_property_identifier"
        | "shorthand_property_identifier_pattern"
        | "private_property_identifier" => Ident(Some("property")),

        // definitions and calls
        "function_item"
        | "function_signature_item"
        | "function_definition"
        | "function_declaration"
        | "generator_function_declaration"
        | "method_definition"
        | "method_declaration"
        | "function_declarator"
        | "macro_definition" => FnDef,
        "class_definition" | "class_declaration" | "struct_item" | "enum_item" | "trait_item"
        | "type_item" | "union_item" | "type_spec" => TypeDef,
        "call_expression" | "call" | "new_expression" | "invocation" => Call,
        "field_expression"
        | "member_expression"
        | "attribute"
        | "scoped_identifier"
        | "selector_expression"
        | "generic_function"
        | "object_reference" => Access,
        "macro_invocation" => Macro,
        "pair" | "block_mapping_pair" | "flow_pair" => Pair,
        "variable_declarator" => VarDecl,
        "interpolation"
        | "template_substitution"
        | "expansion"
        | "simple_expansion"
        | "command_substitution"
        | "format_expression" => Code,

        // strings
        "string"
        | "string_literal"
        | "raw_string_literal"
        | "template_string"
        | "interpreted_string_literal"
        | "char_literal"
        | "rune_literal"
        | "character"
        | "raw_string"
        | "ansi_c_string"
        | "translated_string"
        | "heredoc_body"
        | "string_value"
        | "string_scalar"
        | "double_quote_scalar"
        | "single_quote_scalar"
        | "block_scalar"
        | "system_lib_string"
        | "attribute_value"
        | "quoted_attribute_value"
        | "regex"
        | "concatenated_string"
        | "dollar_quote" => Text,
        "escape_sequence" => Class("constant"),

        // the rest go by name
        _ => Class(named_class(kind).unwrap_or("")),
    }
    .or_plain()
}

impl Role {
    /// `Class("")` is how `named_class` says "nothing".
    fn or_plain(self) -> Role {
        match self {
            Role::Class("") => Role::Plain,
            r => r,
        }
    }
}

/// The class of a named kind that needs no context, if any.
fn named_class(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "line_comment" | "block_comment" | "comment" | "js_comment" | "marginalia"
        | "html_comment" => "comment",
        "integer_literal" | "float_literal" | "int_literal" | "imaginary_literal"
        | "number_literal" | "number" | "integer" | "float" | "integer_value" | "float_value"
        | "integer_scalar" | "float_scalar" | "color_value" | "file_descriptor"
        | "timestamp_scalar" | "offset_date_time" | "local_date_time" | "local_date"
        | "local_time" => "number",
        "true"
        | "false"
        | "null"
        | "none"
        | "nil"
        | "undefined"
        | "iota"
        | "boolean"
        | "boolean_literal"
        | "boolean_scalar"
        | "null_scalar"
        | "self"
        | "this"
        | "special_variable_name"
        | "id_name"
        | "important" => "constant",
        "type_identifier"
        | "primitive_type"
        | "builtin_type"
        | "predefined_type"
        | "sized_type_specifier"
        | "type"
        | "class_name"
        | "unit" => "type",
        "bare_key" | "quoted_key" | "dotted_key" | "property_name" | "variable_name"
        | "feature_name" => "property",
        "attribute_item" | "inner_attribute_item" | "decorator" | "attribute_name" => "attribute",
        "tag_name" | "erroneous_end_tag_name" => "tag",
        "mutable_specifier" | "crate" | "super" | "at_keyword" | "doctype" | "directive_name" => {
            "keyword"
        }
        "lifetime"
        | "label"
        | "label_name"
        | "statement_identifier"
        | "anchor_name"
        | "alias_name" => "label",
        "command_name" | "function_name" | "keyframes_name" => "function",
        "package_identifier" | "namespace_identifier" | "namespace_name" => "namespace",
        "shebang" | "hash_bang_line" => "comment",
        _ => return None,
    })
}

/// Anonymous tokens: words are keywords (`fn`, `if`, `#include`); brackets,
/// punctuation and operators stay unstyled, which keeps pages small.
fn anonymous(kind: &str) -> Role {
    let word = kind.strip_prefix('#').unwrap_or(kind);
    let is_word = word.len() >= 2
        && word.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
        && word.bytes().any(|b| b.is_ascii_lowercase());
    if is_word {
        Role::Class("keyword")
    } else {
        Role::Plain
    }
}

/// SQL's grammar names its keywords `keyword_select` and its types after the
/// type (`varchar`).
fn sql(kind: &str) -> Option<Role> {
    if kind.starts_with("keyword_") {
        return Some(Role::Class("keyword"));
    }
    Some(match kind {
        "bigint" | "binary" | "bit" | "char" | "datetimeoffset" | "decimal" | "double"
        | "float" | "int" | "interval" | "mediumint" | "nchar" | "numeric" | "nvarchar"
        | "smallint" | "time" | "timestamp" | "tinyint" | "varbinary" | "varchar" => {
            Role::Class("type")
        }
        "literal" => Role::Text,
        "field" | "column" => Role::Class("property"),
        _ => return None,
    })
}

/// The class of an identifier from its own text, where context said nothing:
/// `MAX_LEN` is a constant, `TreePoll` a type.
pub fn by_case(text: &str) -> Option<&'static str> {
    let mut bytes = text.bytes();
    let first = bytes.next()?;
    if !first.is_ascii_uppercase() {
        return None;
    }
    let all_caps = text
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if all_caps && text.len() > 1 {
        Some("constant")
    } else {
        Some("type")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_words_are_keywords_and_symbols_are_not() {
        assert_eq!(anonymous("fn"), Role::Class("keyword"));
        assert_eq!(anonymous("#include"), Role::Class("keyword"));
        assert_eq!(anonymous("=>"), Role::Plain);
        assert_eq!(anonymous("("), Role::Plain);
        assert_eq!(anonymous("r"), Role::Plain);
    }

    #[test]
    fn named_kinds() {
        assert_eq!(role("rust", "line_comment", true), Role::Class("comment"));
        assert_eq!(role("rust", "string_literal", true), Role::Text);
        assert_eq!(role("rust", "function_item", true), Role::FnDef);
        assert_eq!(role("rust", "block", true), Role::Plain);
        assert_eq!(role("sql", "keyword_select", true), Role::Class("keyword"));
        assert_eq!(role("diff", "addition", true), Role::Class("diff-add"));
    }

    #[test]
    fn identifiers_by_case() {
        assert_eq!(by_case("MAX_LEN"), Some("constant"));
        assert_eq!(by_case("TreePoll"), Some("type"));
        assert_eq!(by_case("x"), None);
        assert_eq!(by_case("X"), Some("type"));
    }
}
