//! The (id, name) lists that filters and pickers offer.

use crate::domain::{AppError, Id};
use crate::server::ServerContext;

pub type Choices = Vec<(Id, String)>;

pub async fn areas(ctx: &ServerContext) -> Result<Choices, AppError> {
    Ok(ctx
        .storage
        .list_areas()
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect())
}

pub async fn stations(ctx: &ServerContext) -> Result<Choices, AppError> {
    Ok(ctx
        .storage
        .list_stations()
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// Refuses a chosen team that does not exist, naming the form's field.
pub async fn require_team(ctx: &ServerContext, field: &str, team_id: Id) -> Result<(), AppError> {
    ctx.storage
        .get_team(team_id)
        .await
        .map(|_| ())
        .map_err(|_| AppError::invalid(field, "error.unknown_choice"))
}

pub async fn teams(ctx: &ServerContext) -> Result<Choices, AppError> {
    Ok(ctx
        .storage
        .list_teams()
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect())
}

/// Task types; `public_only` leaves out the trusted ones (never on a link).
pub async fn task_types(ctx: &ServerContext, public_only: bool) -> Result<Choices, AppError> {
    Ok(ctx
        .storage
        .list_task_types()
        .await?
        .into_iter()
        .filter(|t| !(public_only && t.trusted))
        .map(|t| (t.id, t.title))
        .collect())
}
