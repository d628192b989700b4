//! Files the office hands on: the Valg Central file (who is at which station
//! on the day and as what, in the columns the municipality's election system
//! imports) and the payroll file's identifiers and totals.

use super::cpr::CprNumber;
use super::lists::{Participant, PayLine};
use super::seats::SeatStatus;
use super::{AppError, Id};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A column of the Valg Central file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CentralColumn {
    /// The station's district number ("afstemningsområde").
    District,
    Station,
    Name,
    /// The CPR number where one is on record and the file was asked for
    /// with numbers by someone allowed to; the birth date otherwise.
    Identity,
    BirthDate,
    /// The task: the election system's role.
    Task,
    Day,
    Times,
    Phone,
    Email,
}

impl CentralColumn {
    pub const ALL: [CentralColumn; 10] = [
        Self::District,
        Self::Station,
        Self::Name,
        Self::Identity,
        Self::BirthDate,
        Self::Task,
        Self::Day,
        Self::Times,
        Self::Phone,
        Self::Email,
    ];

    /// The columns when the municipality names none.
    pub const DEFAULT: &'static str = "district,station,name,identity,task";

    pub fn as_str(self) -> &'static str {
        match self {
            Self::District => "district",
            Self::Station => "station",
            Self::Name => "name",
            Self::Identity => "identity",
            Self::BirthDate => "birth_date",
            Self::Task => "task",
            Self::Day => "day",
            Self::Times => "times",
            Self::Phone => "phone",
            Self::Email => "email",
        }
    }

    /// The locale key of the column's heading.
    pub fn key(self) -> String {
        format!("exports.central.{}", self.as_str())
    }

    /// "district,station,name" → columns; an unknown or repeated name, or
    /// none at all, is an error naming it (a setting read at start).
    pub fn parse_list(raw: &str) -> Result<Vec<CentralColumn>, String> {
        let mut columns = Vec::new();
        for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let column = Self::ALL
                .into_iter()
                .find(|c| c.as_str() == name)
                .ok_or_else(|| format!("unknown column {name:?}"))?;
            if columns.contains(&column) {
                return Err(format!("column {name:?} named twice"));
            }
            columns.push(column);
        }
        if columns.is_empty() {
            return Err("no columns".into());
        }
        Ok(columns)
    }
}

/// Danish dates in files: 04-05-2027.
fn danish_date(day: chrono::NaiveDate) -> String {
    day.format("%d-%m-%Y").to_string()
}

/// The Valg Central file's rows: the people who accepted a seat, by district,
/// station, day, start and name. `numbers` holds the CPR numbers the file may
/// carry (empty unless asked for by someone allowed to see them).
pub fn central_rows(
    people: &[Participant],
    numbers: &HashMap<Id, CprNumber>,
    columns: &[CentralColumn],
) -> Vec<Vec<String>> {
    let mut accepted: Vec<&Participant> = people
        .iter()
        .filter(|p| p.status == SeatStatus::Accepted)
        .collect();
    accepted.sort_by(|a, b| {
        (a.district, &a.station, a.day, a.start_time, &a.name).cmp(&(
            b.district,
            &b.station,
            b.day,
            b.start_time,
            &b.name,
        ))
    });
    accepted
        .into_iter()
        .map(|p| {
            columns
                .iter()
                .map(|c| match c {
                    CentralColumn::District => p.district.to_string(),
                    CentralColumn::Station => p.station.clone(),
                    CentralColumn::Name => p.name.clone(),
                    CentralColumn::Identity => match numbers.get(&p.volunteer_id) {
                        Some(number) => number.dashed(),
                        None => danish_date(p.birth_date),
                    },
                    CentralColumn::BirthDate => danish_date(p.birth_date),
                    CentralColumn::Task => p.task_type.clone(),
                    CentralColumn::Day => danish_date(p.day),
                    CentralColumn::Times => format!(
                        "{}-{}",
                        p.start_time.format("%H:%M"),
                        p.end_time.format("%H:%M")
                    ),
                    CentralColumn::Phone => p.phone.clone(),
                    CentralColumn::Email => p.email.clone(),
                })
                .collect()
        })
        .collect()
}

/// The number finance pays a person against when no CPR number is used: an
/// employee or volunteer number the office keeps (letters, digits, `-`, `/`,
/// `.`, at most 32).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayrollNumber(String);

impl PayrollNumber {
    /// `None` for an empty field (the number is taken off).
    pub fn parse(field: &str, raw: &str) -> Result<Option<Self>, AppError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let fits = raw.chars().count() <= 32
            && raw
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '.'));
        if !fits {
            return Err(AppError::invalid(field, "error.payroll_number"));
        }
        Ok(Some(PayrollNumber(raw.to_string())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a payroll line is paid against: the CPR number when the file carries
/// them and one is on record, else the office's payroll number, else nothing
/// (finance must ask).
pub fn payroll_identifier(
    volunteer_id: Id,
    numbers: &HashMap<Id, CprNumber>,
    payroll_numbers: &HashMap<Id, String>,
) -> String {
    match (
        numbers.get(&volunteer_id),
        payroll_numbers.get(&volunteer_id),
    ) {
        (Some(cpr), _) => cpr.dashed(),
        (None, Some(number)) => number.clone(),
        (None, None) => String::new(),
    }
}

/// One election's payroll in sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayrollTotals {
    pub people: usize,
    pub shifts: i64,
    pub total_dkk: i64,
}

pub fn payroll_totals(lines: &[PayLine]) -> PayrollTotals {
    PayrollTotals {
        people: lines.len(),
        shifts: lines.iter().map(|l| l.shifts).sum(),
        total_dkk: lines.iter().map(|l| l.total_dkk).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_lists_are_checked_name_by_name() {
        assert_eq!(
            CentralColumn::parse_list(CentralColumn::DEFAULT).unwrap(),
            vec![
                CentralColumn::District,
                CentralColumn::Station,
                CentralColumn::Name,
                CentralColumn::Identity,
                CentralColumn::Task
            ]
        );
        assert!(CentralColumn::parse_list("name, cpr")
            .unwrap_err()
            .contains("\"cpr\""));
        assert!(CentralColumn::parse_list("name,name").is_err());
        assert!(CentralColumn::parse_list(" , ").is_err());
    }

    #[test]
    fn payroll_numbers_are_short_plain_identifiers() {
        assert_eq!(PayrollNumber::parse("n", "  ").unwrap(), None);
        assert_eq!(
            PayrollNumber::parse("n", " MA-1234/7 ")
                .unwrap()
                .unwrap()
                .as_str(),
            "MA-1234/7"
        );
        for bad in ["=1+2", "a b", &"9".repeat(33)] {
            assert_eq!(
                PayrollNumber::parse("n", bad).unwrap_err(),
                AppError::invalid("n", "error.payroll_number"),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_identifier_is_the_cpr_number_when_carried_else_the_payroll_number() {
        let cpr = CprNumber::parse("cpr", "0101901111").unwrap();
        let numbers: HashMap<Id, CprNumber> = [(1, cpr)].into_iter().collect();
        let payroll: HashMap<Id, String> = [(1, "L1".to_string()), (2, "L2".to_string())]
            .into_iter()
            .collect();
        assert_eq!(payroll_identifier(1, &numbers, &payroll), "010190-1111");
        assert_eq!(payroll_identifier(2, &numbers, &payroll), "L2");
        assert_eq!(payroll_identifier(3, &numbers, &payroll), "");
        assert_eq!(payroll_identifier(1, &HashMap::new(), &payroll), "L1");
    }
}
