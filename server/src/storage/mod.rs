//! Storage backends. All SQL of Valgvagt lives below this module; the rest
//! of the program talks to the [`app::server::Storage`] traits.

pub mod sqlite;

use app::domain::AppError;

/// Turns a database error into what the user may see. Constraint violations
/// become field errors ("already in use", "not a valid choice"); anything
/// else is logged here and reported as a plain server error.
pub(crate) fn db_error(error: sqlx::Error) -> AppError {
    match &error {
        sqlx::Error::RowNotFound => AppError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            AppError::invalid(&unique_column(db.message()), "error.taken")
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            AppError::invalid("form", "error.unknown_choice")
        }
        sqlx::Error::Database(db) if db.is_check_violation() => {
            tracing::warn!(%error, "check constraint refused a write");
            AppError::invalid("form", "error.bad_request")
        }
        _ => {
            tracing::error!(%error, "database error");
            AppError::Server
        }
    }
}

/// "UNIQUE constraint failed: areas.name" → "name"; the first column of a
/// composite key names the field.
fn unique_column(message: &str) -> String {
    message
        .rsplit(':')
        .next()
        .and_then(|cols| cols.split(',').next())
        .and_then(|col| col.trim().rsplit('.').next())
        .filter(|c| !c.is_empty())
        .unwrap_or("form")
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn unique_columns_are_named() {
        assert_eq!(
            super::unique_column("UNIQUE constraint failed: areas.name"),
            "name"
        );
        assert_eq!(
            super::unique_column(
                "UNIQUE constraint failed: elections.title, elections.election_day"
            ),
            "title"
        );
        assert_eq!(super::unique_column("weird"), "weird");
    }
}
