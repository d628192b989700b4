use super::{forms, AppError, Id};
use serde::{Deserialize, Serialize};

/// A political party, a municipal department, or the open volunteer pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: Id,
    pub name: String,
    pub short_name: String,
    pub description: String,
    pub members: i64,
    pub leaders: Vec<String>,
}

/// A team's seats of one kind at one station on one day, as its leader
/// sees them across stations: how many are filled, invited and open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSeatCell {
    pub election_id: Id,
    pub election_title: String,
    pub station_id: Id,
    pub station_name: String,
    pub day: chrono::NaiveDate,
    pub task_type_id: Id,
    pub task_type: String,
    pub start_time: chrono::NaiveTime,
    pub end_time: chrono::NaiveTime,
    pub accepted: i64,
    pub invited: i64,
    pub open: i64,
    /// The first open seat, to invite a member to.
    pub first_open: Option<Id>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTeam {
    pub name: String,
    pub short_name: String,
    pub description: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TeamForm {
    pub name: String,
    pub short_name: String,
    pub description: String,
}

impl TeamForm {
    pub fn parse(&self) -> Result<NewTeam, AppError> {
        let short_name = forms::required_text("short_name", &self.short_name)?;
        if short_name.chars().count() > 12 {
            return Err(AppError::invalid("short_name", "error.too_long"));
        }
        Ok(NewTeam {
            name: forms::required_text("name", &self.name)?,
            short_name,
            description: forms::optional_text(
                "description",
                &self.description,
                forms::MAX_LONG_TEXT,
            )?,
        })
    }
}
