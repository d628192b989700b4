//! Seed data every installation starts with, and the demo municipality:
//! a realistic, deterministic fictional Korsbæk with one active general
//! election, 4 areas, 30 polling stations, 6 task types, 10 teams, about
//! 2,000 volunteers and a seat plan with open, invited and accepted seats.

use app::domain::accounts::{Role, ScopeKind};
use app::domain::elections::{seeded_election_types, NewElection};
use app::domain::seats::{SeatCountsChange, SeatStatus};
use app::domain::stations::{NewArea, NewStation};
use app::domain::tasks::NewTaskType;
use app::domain::teams::NewTeam;
use app::domain::volunteers::{Citizenship, EmailAddress, Language, NewVolunteer, PhoneNumber};
use app::domain::{AppError, Id};
use app::server::Storage;
use chrono::{Duration, NaiveDate, NaiveTime};
use std::collections::HashMap;

/// Creates the Danish election types when there are none yet. Servers
/// started together on one new database may both find none: the one that
/// loses the race finds the other's.
pub async fn seed_defaults(storage: &dyn Storage) -> anyhow::Result<()> {
    if storage
        .list_election_types()
        .await
        .map_err(app_error)?
        .is_empty()
    {
        for election_type in seeded_election_types() {
            match storage.create_election_type(&election_type).await {
                Ok(_) => {}
                Err(AppError::Invalid { .. }) => {
                    let seeded = storage.list_election_types().await.map_err(app_error)?;
                    if seeded.iter().any(|t| t.title == election_type.title) {
                        continue;
                    }
                    anyhow::bail!("seeding the election type {} failed", election_type.title);
                }
                Err(e) => return Err(app_error(e)),
            }
        }
    }
    Ok(())
}

fn app_error(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}

/// A small deterministic generator (SplitMix64), so the demo is the same
/// municipality every time.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn percent(&mut self) -> u64 {
        self.next() % 100
    }
}

const FIRST_NAMES: &[&str] = &[
    "Anne",
    "Mette",
    "Kirsten",
    "Hanne",
    "Susanne",
    "Lene",
    "Marianne",
    "Camilla",
    "Louise",
    "Maria",
    "Ida",
    "Emma",
    "Sofie",
    "Freja",
    "Karen",
    "Inge",
    "Birgitte",
    "Pernille",
    "Charlotte",
    "Tina",
    "Peter",
    "Jens",
    "Lars",
    "Michael",
    "Henrik",
    "Søren",
    "Thomas",
    "Jan",
    "Niels",
    "Anders",
    "Morten",
    "Rasmus",
    "Mads",
    "Frederik",
    "Mikkel",
    "Jesper",
    "Ole",
    "Poul",
    "Kasper",
    "Jonas",
    "Emil",
    "Christian",
    "Martin",
    "Bo",
    "Aske",
    "Asta",
    "Agnes",
    "Vagn",
    "Else",
    "Kurt",
];

const LAST_NAMES: &[&str] = &[
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Jakobsen",
    "Mikkelsen",
    "Frederiksen",
    "Holm",
    "Lund",
    "Schmidt",
    "Eriksen",
    "Kristiansen",
    "Bach",
    "Skov",
    "Dam",
    "Krogh",
    "Vestergaard",
    "Bertelsen",
    "Toft",
];

const STREETS: &[&str] = &[
    "Algade",
    "Jernbanegade",
    "Skolevej",
    "Kirkestræde",
    "Nørregade",
    "Søndergade",
    "Østergade",
    "Vestergade",
    "Torvet",
    "Møllevej",
    "Stationsvej",
    "Strandvejen",
    "Bøgevej",
    "Egevej",
    "Birkevej",
    "Lindevej",
    "Skovvej",
    "Parkvej",
    "Engvej",
    "Mosevej",
    "Bakkevej",
    "Kongevejen",
    "Rosenvænget",
    "Præstevej",
];

/// (area, postal code, town)
const TOWNS: &[(&str, &str, &str)] = &[
    ("Nord", "4200", "Korsbæk"),
    ("Nord", "4220", "Korsbæk Nord"),
    ("Syd", "4230", "Skælskør"),
    ("Syd", "4241", "Vemmelev"),
    ("Øst", "4250", "Fuglebjerg"),
    ("Øst", "4261", "Dalmose"),
    ("Vest", "4262", "Sandved"),
    ("Vest", "4270", "Høng"),
];

const STATION_KINDS: &[&str] = &[
    "Skole",
    "Hallen",
    "Forsamlingshus",
    "Bibliotek",
    "Kulturhus",
    "Medborgerhus",
    "Sognegård",
    "Idrætscenter",
];

struct TaskSeed {
    title: &'static str,
    short: &'static str,
    description: &'static str,
    start: (u32, u32),
    end: (u32, u32),
    payment: i64,
    trusted: bool,
    checks_off: bool,
}

const TASKS: &[TaskSeed] = &[
    TaskSeed {
        title: "Tilforordnet",
        short: "TILF",
        description: "Hjælper vælgerne på valgdagen, udleverer stemmesedler og deltager i optællingen om aftenen.",
        start: (7, 0),
        end: (23, 0),
        payment: 800,
        trusted: false,
        checks_off: false,
    },
    TaskSeed {
        title: "Valgstyrer",
        short: "VSTY",
        description: "Leder afstemningen på stedet sammen med de øvrige valgstyrere.",
        start: (7, 0),
        end: (23, 30),
        payment: 1000,
        trusted: true,
        checks_off: false,
    },
    TaskSeed {
        title: "Valgstyrerformand",
        short: "VSTYF",
        description: "Har det overordnede ansvar på afstemningsstedet og kontakten til valgsekretariatet.",
        start: (6, 30),
        end: (23, 59),
        payment: 1400,
        trusted: true,
        checks_off: false,
    },
    TaskSeed {
        title: "Valgsekretær",
        short: "VSEK",
        description: "Kommunal medarbejder, der fører valgbogen og indberetter resultatet.",
        start: (6, 30),
        end: (23, 59),
        payment: 0,
        trusted: true,
        checks_off: true,
    },
    TaskSeed {
        title: "Fintæller",
        short: "FINT",
        description: "Tæller stemmesedlerne igen, én for én, dagen efter valget på Rådhuset.",
        start: (9, 0),
        end: (17, 0),
        payment: 700,
        trusted: false,
        checks_off: false,
    },
    TaskSeed {
        title: "Brevstemmemodtager",
        short: "BREV",
        description: "Modtager brevstemmer i borgerservice i ugerne før valget.",
        start: (9, 0),
        end: (16, 0),
        payment: 600,
        trusted: false,
        checks_off: false,
    },
];

const TEAMS: &[(&str, &str, &str)] = &[
    ("Socialdemokratiet", "A", "Partiets tilforordnede."),
    ("Radikale Venstre", "B", "Partiets tilforordnede."),
    (
        "Det Konservative Folkeparti",
        "C",
        "Partiets tilforordnede.",
    ),
    (
        "SF – Socialistisk Folkeparti",
        "F",
        "Partiets tilforordnede.",
    ),
    ("Liberal Alliance", "I", "Partiets tilforordnede."),
    ("Venstre", "V", "Partiets tilforordnede."),
    ("Enhedslisten", "Ø", "Partiets tilforordnede."),
    ("Dansk Folkeparti", "O", "Partiets tilforordnede."),
    (
        "Borgerservice",
        "BS",
        "Kommunens medarbejdere: valgstyrere, valgsekretærer og brevstemmemodtagere.",
    ),
    ("Frivillige", "FRI", "Borgere, der har meldt sig direkte."),
];

const DIETS: &[&str] = &["Vegetarisk", "Vegansk", "Glutenfri", "Laktosefri", "Halal"];

pub const DEMO_VOLUNTEERS: usize = 2000;
/// Volunteers 1, 2, 3 … have accounts in the demo.
pub const DEMO_VOLUNTEER_ACCOUNTS: i64 = 5;

/// The demo election day: a Tuesday in spring 2027.
pub fn demo_election_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 5, 4).unwrap_or_default()
}

/// Loads the demo municipality. Refuses a database that already has stations.
pub async fn load(storage: &dyn Storage, municipality_code: &str) -> anyhow::Result<String> {
    load_scaled(storage, municipality_code, 1).await
}

/// [`load`] with `scale` times the stations and volunteers (300 stations and
/// 20,000 volunteers at 10), for measuring the budgets at a large
/// municipality's size.
pub async fn load_scaled(
    storage: &dyn Storage,
    municipality_code: &str,
    scale: usize,
) -> anyhow::Result<String> {
    let e = app_error;
    let scale = scale.max(1);
    anyhow::ensure!(
        storage.list_stations().await.map_err(e)?.is_empty(),
        "the database already has polling stations; demo data goes into a fresh database"
    );
    let mut dice = Dice(0x5641_4C47_5641_4754); // "VALGVAGT"
    let now = chrono::Utc::now().timestamp();

    let mut areas = HashMap::new();
    for (name, description) in [
        ("Nord", "Korsbæk by og oplandet nord for fjorden"),
        ("Syd", "Skælskør og kystbyerne"),
        ("Øst", "Landsbyerne øst for motorvejen"),
        ("Vest", "Høng og omegn"),
    ] {
        let id = storage
            .create_area(&NewArea {
                name: name.into(),
                description: description.into(),
            })
            .await
            .map_err(e)?;
        areas.insert(name, id);
    }

    // 30 stations: the town hall first, then schools, halls and meeting houses.
    let mut stations = Vec::new();
    for n in 0..30 * scale {
        let (area, postal, town) = TOWNS[n % TOWNS.len()];
        let mut name = if n == 0 {
            "Rådhuset".to_string()
        } else {
            let k = n % 30;
            format!(
                "{} {}",
                town,
                STATION_KINDS[(k / TOWNS.len() + k) % STATION_KINDS.len()]
            )
        };
        if n >= 30 {
            name = format!("{name} {}", n / 30 + 1);
        }
        let id = storage
            .create_station(&NewStation {
                area_id: areas[area],
                name,
                address: format!("{} {}", STREETS[n % STREETS.len()], 1 + (n * 7) % 60),
                postal_code: postal.into(),
                city: town.into(),
                district_number: n as i64 + 1,
                latitude: Some(55.30 + (n as f64) * 0.011),
                longitude: Some(11.20 + (n as f64 * 0.017) % 0.4),
                notes: if n % 3 == 0 {
                    "Indgang fra gården. Parkering bag bygningen.".into()
                } else {
                    String::new()
                },
            })
            .await
            .map_err(e)?;
        stations.push(id);
    }

    let mut tasks = Vec::new();
    for seed in TASKS {
        let time = |(h, m): (u32, u32)| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
        let id = storage
            .create_task_type(&NewTaskType {
                title: seed.title.into(),
                short_name: seed.short.into(),
                description: seed.description.into(),
                start_time: time(seed.start),
                end_time: time(seed.end),
                payment_dkk: seed.payment,
                trusted: seed.trusted,
                eligibility_checks_off: seed.checks_off,
                reminders: true,
            })
            .await
            .map_err(e)?;
        tasks.push(id);
    }
    let [tilf, vsty, vstyf, vsek, fint, brev] =
        [tasks[0], tasks[1], tasks[2], tasks[3], tasks[4], tasks[5]];

    let mut teams = Vec::new();
    for (name, short, description) in TEAMS {
        let id = storage
            .create_team(&NewTeam {
                name: (*name).into(),
                short_name: (*short).into(),
                description: (*description).into(),
            })
            .await
            .map_err(e)?;
        teams.push(id);
    }
    let parties = &teams[..8];
    let borgerservice = teams[8];
    let frivillige = teams[9];

    let mut diets = Vec::new();
    for name in DIETS {
        diets.push(storage.create_diet(name).await.map_err(e)?);
    }

    // Volunteers, each in one team: most in a party, a tenth municipal staff,
    // the rest free volunteers. A few live elsewhere or are EU citizens.
    let mut members: HashMap<Id, Vec<Id>> = HashMap::new();
    for n in 0..DEMO_VOLUNTEERS * scale {
        let first = *dice.pick(FIRST_NAMES);
        let last = *dice.pick(LAST_NAMES);
        let (_, postal, town) = *dice.pick(TOWNS);
        let birth = NaiveDate::from_ymd_opt(
            1946 + dice.below(60) as i32,
            1 + dice.below(12) as u32,
            1 + dice.below(28) as u32,
        )
        .unwrap_or_default();
        let citizenship = match dice.percent() {
            0..=93 => Citizenship::Danish,
            94..=97 => Citizenship::Eu,
            _ => Citizenship::Other,
        };
        let municipality = if dice.percent() < 96 {
            municipality_code.to_string()
        } else {
            "101".to_string()
        };
        let email = format!(
            "{}.{}.{}@example.dk",
            ascii_slug(first),
            ascii_slug(last),
            n + 1
        );
        let phone = format!("{}{:07}", 2 + dice.below(8), dice.below(10_000_000));
        let diet_ids = if dice.percent() < 12 {
            vec![*dice.pick(&diets)]
        } else {
            vec![]
        };
        let id = storage
            .create_volunteer(&NewVolunteer {
                name: format!("{first} {last}"),
                birth_date: birth,
                email: EmailAddress::parse("email", &email).map_err(e)?,
                phone: PhoneNumber::parse("phone", &phone).map_err(e)?,
                address: format!("{} {}", dice.pick(STREETS), 1 + dice.below(120)),
                postal_code: postal.into(),
                city: town.into(),
                municipality_code: municipality,
                citizenship,
                under_guardianship: false,
                language: if dice.percent() < 95 {
                    Language::Da
                } else {
                    Language::En
                },
                diet_ids,
                consent: Some((now, "2026-1".into())),
            })
            .await
            .map_err(e)?;
        let team = match n % 10 {
            0 => borgerservice,
            1 => frivillige,
            _ => parties[dice.below(parties.len())],
        };
        let share_contact = dice.percent() < 50;
        storage
            .add_team_member(team, id, share_contact)
            .await
            .map_err(e)?;
        members.entry(team).or_default().push(id);
    }

    // The election: postal votes three weeks before, the recount the day after.
    let election_day = demo_election_day();
    let election_type = storage
        .list_election_types()
        .await
        .map_err(e)?
        .into_iter()
        .find(|t| t.title.starts_with("Folketingsvalg"))
        .ok_or_else(|| anyhow::anyhow!("the Folketingsvalg election type is missing"))?;
    let election_id = storage
        .create_election(&NewElection {
            title: "Folketingsvalg 2027".into(),
            election_type_id: election_type.id,
            election_day,
            first_day: election_day - Duration::days(21),
            last_day: election_day + Duration::days(1),
            lock_days: 7,
            active: true,
            station_ids: stations.clone(),
            reminders: Default::default(),
        })
        .await
        .map_err(e)?;

    // The seat plan.
    let mut plans: Vec<SeatCountsChange> = Vec::new();
    for (n, &station) in stations.iter().enumerate() {
        let mut cells = vec![
            (borgerservice, vsty, 2),
            (borgerservice, vstyf, 1),
            (borgerservice, vsek, 1),
        ];
        for (p, &party) in parties.iter().enumerate() {
            // Bigger parties supply more polling clerks.
            let count = match p {
                0 | 5 => 3,
                2 | 3 | 6 => 2,
                _ => (n + p) as i64 % 2,
            };
            if count > 0 {
                cells.push((party, tilf, count));
            }
        }
        cells.push((frivillige, tilf, 2));
        plans.push(SeatCountsChange {
            election_id,
            station_id: station,
            day: election_day,
            cells,
        });
    }
    // The recount at the town hall, and postal votes at four stations.
    plans.push(SeatCountsChange {
        election_id,
        station_id: stations[0],
        day: election_day + Duration::days(1),
        cells: vec![(frivillige, fint, 12), (borgerservice, fint, 4)],
    });
    for &station in &stations[..4] {
        for days_before in [14, 7, 3, 2, 1] {
            plans.push(SeatCountsChange {
                election_id,
                station_id: station,
                day: election_day - Duration::days(days_before),
                cells: vec![(borgerservice, brev, 2)],
            });
        }
    }
    for plan in &plans {
        storage.set_seat_counts(plan).await.map_err(e)?;
    }

    // People on seats: about 60 % accepted, 20 % invited, 20 % still open.
    // Everybody holds at most one seat, so no shifts can collide.
    let mut next_member: HashMap<Id, usize> = HashMap::new();
    let (mut accepted, mut invited, mut open) = (0, 0, 0);
    for plan in &plans {
        for &(team, task, _) in &plan.cells {
            let seats = storage
                .open_seats(election_id, plan.station_id, plan.day, team, task)
                .await
                .map_err(e)?;
            for seat in seats {
                let roll = dice.percent();
                if roll >= 80 {
                    open += 1;
                    continue;
                }
                let pool = members.get(&team).map(Vec::as_slice).unwrap_or_default();
                let index = next_member.entry(team).or_insert(0);
                let Some(&volunteer) = pool.get(*index) else {
                    open += 1;
                    continue;
                };
                *index += 1;
                let (status, respond_by) = if roll < 60 {
                    accepted += 1;
                    (SeatStatus::Accepted, None)
                } else {
                    invited += 1;
                    (SeatStatus::Invited, Some(now + 7 * 24 * 3600))
                };
                storage
                    .fill_seat(seat, volunteer, status, respond_by, now, None)
                    .await
                    .map_err(e)?;
            }
        }
    }
    let people = demo_users(storage, &areas, &stations, &teams).await?;
    // The first volunteers can sign in (by email link) and see their shifts.
    for id in 1..=DEMO_VOLUNTEER_ACCOUNTS {
        let volunteer = storage.get_volunteer(id).await.map_err(e)?;
        let user = storage
            .ensure_user_with_role(&volunteer.email, &volunteer.name, Role::Volunteer)
            .await
            .map_err(e)?;
        storage.link_volunteer(user, id).await.map_err(e)?;
    }
    Ok(format!(
        "4 areas, {} stations, {} task types, {} teams, {} volunteers, {people} users with scoped roles; seats: {accepted} accepted, {invited} invited, {open} open",
        stations.len(),
        tasks.len(),
        teams.len(),
        DEMO_VOLUNTEERS * scale
    ))
}

/// People with scoped roles, so every role has someone to sign in as: a
/// coordinator for area Nord, a station manager for each of the first four
/// stations, and a team leader for each team. Returns how many.
async fn demo_users(
    storage: &dyn Storage,
    areas: &HashMap<&str, Id>,
    stations: &[Id],
    teams: &[Id],
) -> anyhow::Result<usize> {
    let e = app_error;
    let mut grants: Vec<(String, String, ScopeKind, Id)> = vec![(
        "koordinator.nord@korsbaek.example".into(),
        "Inge Nord (koordinator)".into(),
        ScopeKind::Area,
        areas["Nord"],
    )];
    for (n, &station) in stations.iter().take(4).enumerate() {
        grants.push((
            format!("valgstyrer.{}@korsbaek.example", n + 1),
            format!("{} (valgstyrer)", DEMO_MANAGERS[n % DEMO_MANAGERS.len()]),
            ScopeKind::Station,
            station,
        ));
    }
    for (&team, (_, short, _)) in teams.iter().zip(TEAMS) {
        grants.push((
            format!("holdleder.{}@korsbaek.example", ascii_slug(short)),
            format!("Holdleder {short}"),
            ScopeKind::Team,
            team,
        ));
    }
    for (email, name, kind, target) in &grants {
        let user = storage
            .ensure_user_with_role(email, name, kind.role())
            .await
            .map_err(e)?;
        storage.grant_scope(user, *kind, *target).await.map_err(e)?;
    }
    Ok(grants.len())
}

const DEMO_MANAGERS: &[&str] = &["Bent Holm", "Lise Vang", "Ole Krog", "Grete Lund"];

/// "Søren" → "soeren", for demo email addresses.
fn ascii_slug(name: &str) -> String {
    name.to_lowercase()
        .replace('æ', "ae")
        .replace('ø', "oe")
        .replace('å', "aa")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}
