//! The gap board: for one election, every station's seats per task type as
//! accepted / invited / seats, grouped by area with totals, so a coordinator
//! sees at a glance where seats are missing.

use super::seats::SeatCounts;
use super::Id;
use serde::{Deserialize, Serialize};

/// One cell as storage counts it: a station's seats of one task type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardCount {
    pub area_id: Id,
    pub area: String,
    pub station_id: Id,
    pub station: String,
    pub task_type_id: Id,
    pub counts: SeatCounts,
    /// Of the accepted: marked as arrived (or late), and as no-shows.
    pub present: i64,
    pub no_show: i64,
    /// Of the accepted: not checked in though their shift began an hour ago.
    pub overdue: i64,
}

/// How a cell looks: nothing planned, seats nobody holds, answers awaited,
/// or every seat accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CellState {
    Empty,
    Missing,
    Waiting,
    Full,
}

impl CellState {
    pub fn of(counts: &SeatCounts) -> Self {
        if counts.total() == 0 {
            Self::Empty
        } else if counts.open > 0 {
            Self::Missing
        } else if counts.invited > 0 {
            Self::Waiting
        } else {
            Self::Full
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            Self::Empty => "gap-empty",
            Self::Missing => "gap-missing",
            Self::Waiting => "gap-waiting",
            Self::Full => "gap-full",
        }
    }
}

/// A station's row: one count per column, and its total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationRow {
    pub station_id: Id,
    pub station: String,
    pub cells: Vec<SeatCounts>,
    pub total: SeatCounts,
    /// Check-in: how many of the accepted have arrived, and no-shows.
    pub present: i64,
    pub no_show: i64,
    /// Accepted, not checked in, and an hour past their start.
    pub overdue: i64,
}

impl StationRow {
    /// Someone is missing: marked as a no-show, or not checked in an hour
    /// after the shift began.
    pub fn alarm(&self) -> bool {
        self.no_show > 0 || self.overdue > 0
    }
}

/// An area's stations, with totals per column and overall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaBlock {
    pub area_id: Id,
    pub area: String,
    pub stations: Vec<StationRow>,
    pub cells: Vec<SeatCounts>,
    pub total: SeatCounts,
}

/// The order of stations within an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum BoardSort {
    #[default]
    Name,
    /// Most open seats first (then most waiting answers).
    Missing,
}

impl BoardSort {
    pub fn parse(raw: &str) -> Self {
        match raw {
            "missing" => Self::Missing,
            _ => Self::Name,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Missing => "missing",
        }
    }
}

fn add(into: &mut SeatCounts, c: &SeatCounts) {
    into.open += c.open;
    into.invited += c.invited;
    into.accepted += c.accepted;
}

/// Lays counts out as areas of station rows under `columns` (task type ids),
/// with totals; areas by name, stations by name or by most missing.
pub fn arrange(counts: &[BoardCount], columns: &[Id], sort: BoardSort) -> Vec<AreaBlock> {
    let column = |task: Id| columns.iter().position(|c| *c == task);
    let mut areas: Vec<AreaBlock> = Vec::new();
    for c in counts {
        let Some(col) = column(c.task_type_id) else {
            continue;
        };
        let area = match areas.iter_mut().position(|a| a.area_id == c.area_id) {
            Some(i) => &mut areas[i],
            None => {
                areas.push(AreaBlock {
                    area_id: c.area_id,
                    area: c.area.clone(),
                    stations: Vec::new(),
                    cells: vec![SeatCounts::default(); columns.len()],
                    total: SeatCounts::default(),
                });
                let last = areas.len() - 1;
                &mut areas[last]
            }
        };
        let row = match area
            .stations
            .iter()
            .position(|s| s.station_id == c.station_id)
        {
            Some(i) => &mut area.stations[i],
            None => {
                area.stations.push(StationRow {
                    station_id: c.station_id,
                    station: c.station.clone(),
                    cells: vec![SeatCounts::default(); columns.len()],
                    total: SeatCounts::default(),
                    present: 0,
                    no_show: 0,
                    overdue: 0,
                });
                let last = area.stations.len() - 1;
                &mut area.stations[last]
            }
        };
        add(&mut row.cells[col], &c.counts);
        add(&mut row.total, &c.counts);
        row.present += c.present;
        row.no_show += c.no_show;
        row.overdue += c.overdue;
        add(&mut area.cells[col], &c.counts);
        add(&mut area.total, &c.counts);
    }
    areas.sort_by(|a, b| a.area.cmp(&b.area));
    for area in &mut areas {
        match sort {
            BoardSort::Name => area.stations.sort_by(|a, b| a.station.cmp(&b.station)),
            BoardSort::Missing => area.stations.sort_by(|a, b| {
                (b.total.open, b.total.invited, &a.station).cmp(&(
                    a.total.open,
                    a.total.invited,
                    &b.station,
                ))
            }),
        }
    }
    areas
}

/// The sum of all areas.
pub fn grand_total(areas: &[AreaBlock], columns: usize) -> (Vec<SeatCounts>, SeatCounts) {
    let mut cells = vec![SeatCounts::default(); columns];
    let mut total = SeatCounts::default();
    for area in areas {
        for (i, c) in area.cells.iter().enumerate() {
            add(&mut cells[i], c);
        }
        add(&mut total, &area.total);
    }
    (cells, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(area: Id, station: Id, name: &str, task: Id, c: (i64, i64, i64)) -> BoardCount {
        BoardCount {
            area_id: area,
            area: format!("Område {area}"),
            station_id: station,
            station: name.into(),
            task_type_id: task,
            counts: SeatCounts {
                open: c.0,
                invited: c.1,
                accepted: c.2,
            },
            present: 0,
            no_show: 0,
            overdue: 0,
        }
    }

    #[test]
    fn cells_are_coloured_by_what_is_missing() {
        let c = |open, invited, accepted| SeatCounts {
            open,
            invited,
            accepted,
        };
        assert_eq!(CellState::of(&c(0, 0, 0)), CellState::Empty);
        assert_eq!(CellState::of(&c(1, 1, 1)), CellState::Missing);
        assert_eq!(CellState::of(&c(0, 1, 1)), CellState::Waiting);
        assert_eq!(CellState::of(&c(0, 0, 3)), CellState::Full);
    }

    #[test]
    fn stations_group_by_area_with_totals_and_sort_by_most_missing() {
        let counts = vec![
            count(2, 10, "Bakkeskolen", 1, (0, 0, 2)),
            count(2, 11, "Aaskolen", 1, (2, 0, 0)),
            count(2, 11, "Aaskolen", 2, (1, 1, 0)),
            count(1, 12, "Rådhuset", 2, (0, 1, 1)),
            // A column that is filtered away.
            count(1, 12, "Rådhuset", 3, (5, 0, 0)),
        ];
        let areas = arrange(&counts, &[1, 2], BoardSort::Name);
        assert_eq!(areas.len(), 2);
        assert_eq!(areas[0].area, "Område 1");
        assert_eq!(areas[0].total.total(), 2, "column 3 left out");
        let syd = &areas[1];
        assert_eq!(syd.stations[0].station, "Aaskolen");
        assert_eq!(syd.stations[0].total.open, 3);
        assert_eq!(syd.cells[0].total(), 4);
        assert_eq!(syd.cells[1].invited, 1);
        let by_missing = arrange(&counts, &[1, 2], BoardSort::Missing);
        assert_eq!(by_missing[1].stations[0].station, "Aaskolen");
        let (cells, total) = grand_total(&areas, 2);
        assert_eq!(total.total(), 8);
        assert_eq!(cells[1].total(), 4);
    }
}
