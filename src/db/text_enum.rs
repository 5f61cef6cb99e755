//! Text columns that hold one of a fixed set of names (a status, a kind), as Rust enums.

/// Declares an enum whose variants are stored as text: one table of `Variant = "name"` gives the
/// enum, `ALL` (in the order written), `as_str`, `parse`, serde and OpenAPI under the same names,
/// and decoding from a row on both databases — an unknown name in a row is a decoding error, never
/// a silent default.
///
/// ```
/// cedu::text_enum! {
///     /// Where a batch stands.
///     pub enum BatchStatus { Pending = "pending", Confirmed = "confirmed" }
/// }
/// assert_eq!(BatchStatus::parse(" confirmed"), Some(BatchStatus::Confirmed));
/// assert_eq!(BatchStatus::parse("draft"), None);
/// assert_eq!(BatchStatus::ALL, [BatchStatus::Pending, BatchStatus::Confirmed]);
/// assert_eq!(serde_json::to_string(&BatchStatus::Pending).unwrap(), "\"pending\"");
/// assert!(BatchStatus::Pending == "pending");
/// ```
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in the order declared.
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value of a stored or submitted name (surrounding blanks ignored).
            pub fn parse(s: &str) -> Option<$name> {
                match s.trim() {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        /// In the OpenAPI document: a string, one of the stored names (written by hand: the
        /// derive does not see a `rename` that comes from a macro).
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        /// Compares with a stored name (`node.kind == "centre"`).
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl std::str::FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<$name, ()> {
                $name::parse(s).ok_or(())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let s = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                $name::parse(s)
                    .ok_or_else(|| format!("unknown {} {s:?}", stringify!($name)).into())
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            &'q str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'q str as sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }

        impl<'a> From<$name> for $crate::db::Arg<'a> {
            fn from(v: $name) -> $crate::db::Arg<'a> {
                $crate::db::Arg::Text(Some(std::borrow::Cow::Borrowed(v.as_str())))
            }
        }
    };
}
