use super::{forms, AppError, Id};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    pub id: Id,
    pub name: String,
    pub description: String,
    pub stations: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewArea {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AreaForm {
    pub name: String,
    pub description: String,
}

impl AreaForm {
    pub fn parse(&self) -> Result<NewArea, AppError> {
        Ok(NewArea {
            name: forms::required_text("name", &self.name)?,
            description: forms::optional_text(
                "description",
                &self.description,
                forms::MAX_LONG_TEXT,
            )?,
        })
    }
}

/// A polling station (or another place where volunteers work).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Station {
    pub id: Id,
    pub area_id: Id,
    pub area_name: String,
    pub name: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub district_number: i64,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewStation {
    pub area_id: Id,
    pub name: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub district_number: i64,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub notes: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StationForm {
    pub area_id: String,
    pub name: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub district_number: String,
    pub latitude: String,
    pub longitude: String,
    pub notes: String,
}

/// Danish postal codes are four digits, 0800–9990.
pub fn parse_postal_code(field: &str, raw: &str) -> Result<String, AppError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, "error.required"));
    }
    let ok = value.len() == 4
        && value.chars().all(|c| c.is_ascii_digit())
        && value
            .parse::<u32>()
            .is_ok_and(|n| (800..=9990).contains(&n));
    if ok {
        Ok(value.to_string())
    } else {
        Err(AppError::invalid(field, "error.postal_code"))
    }
}

fn coordinate(field: &str, raw: &str, limit: f64) -> Result<Option<f64>, AppError> {
    let value = raw.trim().replace(',', ".");
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<f64>() {
        Ok(n) if n.is_finite() && n.abs() <= limit => Ok(Some(n)),
        _ => Err(AppError::invalid(field, "error.coordinate")),
    }
}

impl StationForm {
    pub fn parse(&self) -> Result<NewStation, AppError> {
        let latitude = coordinate("latitude", &self.latitude, 90.0)?;
        let longitude = coordinate("longitude", &self.longitude, 180.0)?;
        if latitude.is_some() != longitude.is_some() {
            return Err(AppError::invalid("longitude", "error.coordinate_pair"));
        }
        Ok(NewStation {
            area_id: forms::id("area_id", &self.area_id)?,
            name: forms::required_text("name", &self.name)?,
            address: forms::required_text("address", &self.address)?,
            postal_code: parse_postal_code("postal_code", &self.postal_code)?,
            city: forms::required_text("city", &self.city)?,
            district_number: forms::int_in("district_number", &self.district_number, 1, 999)?,
            latitude,
            longitude,
            notes: forms::optional_text("notes", &self.notes, forms::MAX_LONG_TEXT)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> StationForm {
        StationForm {
            area_id: "1".into(),
            name: "Rådhuset".into(),
            address: "Torvet 1".into(),
            postal_code: "4200".into(),
            city: "Korsbæk".into(),
            district_number: "3".into(),
            latitude: "55,40".into(),
            longitude: "11.35".into(),
            notes: "".into(),
        }
    }

    #[test]
    fn a_station_parses_with_danish_decimal_commas() {
        let s = form().parse().unwrap();
        assert_eq!(s.latitude, Some(55.40));
    }

    #[test]
    fn postal_codes_are_danish() {
        assert!(parse_postal_code("p", "0799").is_err());
        assert!(parse_postal_code("p", "42000").is_err());
        assert!(parse_postal_code("p", "abcd").is_err());
        assert_eq!(parse_postal_code("p", " 8000 ").unwrap(), "8000");
    }

    #[test]
    fn coordinates_come_in_pairs() {
        let mut f = form();
        f.longitude = "".into();
        assert_eq!(
            f.parse().unwrap_err(),
            AppError::invalid("longitude", "error.coordinate_pair")
        );
    }
}
