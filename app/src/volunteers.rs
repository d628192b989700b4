//! Volunteers: one person's record and shifts, the pieces other pages use to
//! show people and shifts, and the special diets a municipality caters for.

use crate::components::{route_id, DeleteForm, Field, Loaded, PageHead};
use crate::domain::rosters::PersonShift;
use crate::domain::seats::SeatStatus;
use crate::domain::volunteers::{Diet, DietForm, Volunteer};
use crate::domain::{AppError, Id};
use crate::i18n::{short_date, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// One person's record, teams and shifts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VolunteerProfile {
    pub volunteer: Volunteer,
    pub teams: Vec<(Id, String)>,
    pub shifts: Vec<PersonShift>,
    /// The viewer may write to this volunteer (the office).
    pub can_message: bool,
    /// The viewer is this volunteer (and may answer invitations).
    pub is_self: bool,
    /// The viewer may mark the declaration as checked (the office).
    pub can_verify: bool,
    pub municipality_code: String,
    /// What only the office sees (history, messages, sign-in, notes).
    pub office: Option<crate::records::OfficeRecord>,
}

#[server(endpoint = "volunteers/get")]
pub async fn load_volunteer(id: Id) -> Result<VolunteerProfile, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(user.can_view_volunteer(id))?;
        let volunteer = ctx.storage.get_volunteer(id).await?;
        if user.volunteer_id != Some(id) {
            crate::server::audit(
                &ctx,
                Some(&user),
                crate::domain::audit::AuditAction::ContactViewed,
                &format!("volunteer {id}"),
                &volunteer.name,
            )
            .await;
        }
        Ok(VolunteerProfile {
            can_message: user.can_plan_somewhere() && user.sees_all_contacts(),
            can_verify: user.can_plan(),
            municipality_code: ctx.settings.municipality_code.clone(),
            is_self: user.volunteer_id == Some(id),
            office: crate::records::office_record(&ctx, &user, id).await?,
            teams: ctx.storage.volunteer_teams(id).await?,
            shifts: ctx.storage.volunteer_shifts(id).await?,
            volunteer,
        })
    })
    .await
}

/// The office marks a volunteer's own declaration (age, residence,
/// citizenship, guardianship) as checked against real records, or not.
#[server(endpoint = "volunteers/verify")]
pub async fn set_verified(id: Id, verified: bool) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_planner().await?;
        ctx.storage.set_volunteer_verified(id, verified).await?;
        crate::server::audit(
            &ctx,
            Some(&user),
            crate::domain::audit::AuditAction::DeclarationVerified,
            &format!("volunteer {id}"),
            if verified { "verified" } else { "unverified" },
        )
        .await;
        crate::server::redirect_to(&format!("/volunteers/{id}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "diets/list")]
pub async fn list_diets() -> Result<Vec<Diet>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        ctx.storage.list_diets().await
    })
    .await
}

#[server(endpoint = "diets/get")]
pub async fn get_diet(id: Option<Id>) -> Result<Option<Diet>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        match id {
            Some(id) => ctx.storage.get_diet(id).await.map(Some),
            None => Ok(None),
        }
    })
    .await
}

#[server(endpoint = "diets/save")]
pub async fn save_diet(id: String, form: DietForm) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        let name = form.parse()?;
        match crate::elections::optional_id(&id)? {
            Some(id) => ctx.storage.update_diet(id, &name).await?,
            None => {
                ctx.storage.create_diet(&name).await?;
            }
        }
        crate::server::redirect_to("/diets");
        Ok(())
    })
    .await
}

#[server(endpoint = "diets/delete")]
pub async fn delete_diet(id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        ctx.storage.delete_diet(id).await?;
        crate::server::redirect_to("/diets");
        Ok(())
    })
    .await
}

#[component]
pub fn DietsPage() -> impl IntoView {
    let diets = Resource::new(|| (), |_| list_diets());
    view! {
        <Title text=t("diets.title")/>
        <PageHead title=t("diets.title") new_href="/diets/new" new_label="diets.new"/>
        <Loaded resource=diets view={|list: Vec<Diet>| view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label=t("common.table")>
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">{t("field.name")}</th>
                            <th scope="col" class="num">{t("diets.volunteers")}</th>
                            <th scope="col">{t("common.actions")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|diet| view! {
                            <tr>
                                <td>{diet.name.clone()}</td>
                                <td class="num">{diet.volunteers}</td>
                                <td class="actions">
                                    <a class="btn btn-secondary btn-small" href=format!("/diets/{}", diet.id)>
                                        {t("common.edit")}<span class="visually-hidden">" " {diet.name.clone()}</span>
                                    </a>
                                    <DeleteForm url=DeleteDiet::url() id=diet.id label=diet.name.clone()/>
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }}/>
    }
}

#[component]
pub fn DietFormPage() -> impl IntoView {
    let id = route_id("id");
    let data = Resource::new(id, get_diet);
    view! { <Loaded resource=data view={|diet: Option<Diet>| view! { <DietFormView diet/> }}/> }
}

#[component]
fn DietFormView(diet: Option<Diet>) -> impl IntoView {
    let heading = if diet.is_some() {
        t("diets.edit")
    } else {
        t("diets.new")
    };
    view! {
        <Title text=heading.clone()/>
        <h1>{heading}</h1>
        <form method="post" action=SaveDiet::url()>
            <div class="form">
                <input type="hidden" name="id" value=diet.as_ref().map(|d| d.id.to_string()).unwrap_or_default()/>
                <Field name="form[name]" label="field.name" value=diet.as_ref().map(|d| d.name.clone()).unwrap_or_default() required=true/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("common.save")}</button>
                <a class="btn btn-secondary" href="/diets">{t("common.cancel")}</a>
            </div>
        </form>
    }
}

#[component]
pub fn VolunteerPage() -> impl IntoView {
    let id = route_id("id");
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_volunteer(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Loaded resource=data view={|p: VolunteerProfile| {
            let v = p.volunteer;
            view! {
                <Title text=v.name.clone()/>
                <h1>{v.name.clone()}</h1>
                <section class="card">
                    <h2>{t("volunteers.contact")}</h2>
                    <ContactLinks phone=Some(v.phone.clone()) email=Some(v.email.clone())/>
                    <p>{if p.is_self {
                        crate::domain::volunteers::shown_address(false, &v.address, &v.postal_code, &v.city, &|key| t(key))
                    } else {
                        v.address_for_others(&|key| t(key))
                    }}</p>
                    <p>{t_with("volunteers.born", &[("date", &short_date(v.birth_date))])}</p>
                    <p>{t("volunteers.teams")} ": "
                        {if p.teams.is_empty() {
                            t("volunteers.no_teams")
                        } else {
                            p.teams.iter().map(|(_, name)| name.clone()).collect::<Vec<_>>().join(", ")
                        }}
                    </p>
                </section>
                <Declaration volunteer=v.clone() home=p.municipality_code.clone() can_verify=p.can_verify/>
                <section>
                    <h2>{t("volunteers.shifts")}</h2>
                    <ShiftList shifts=p.shifts answerable=p.is_self/>
                </section>
                {p.office.map(|record| view! { <crate::records::OfficeSections volunteer_id=v.id record/> })}
                {p.can_message.then(|| view! {
                    <crate::notifications::SendMessageForm volunteer_id=v.id/>
                    <p><a href=format!("/messages?volunteer={}", v.id)>{t("messages.of_volunteer")}</a></p>
                })}
            }
        }}/>
    }
}

/// What the volunteer declared about themself, whether the office has
/// checked it, and whether eligibility is judged from it or from CPR.
#[component]
fn Declaration(volunteer: Volunteer, home: String, can_verify: bool) -> impl IntoView {
    let v = volunteer;
    let yes_no = |b: bool| t(if b { "common.yes" } else { "common.no" });
    view! {
        <section class="card" aria-labelledby="declaration-heading">
            <h2 id="declaration-heading">{t("volunteers.declaration")}</h2>
            <p data-testid="eligibility-source">
                {match &v.register {
                    Some(facts) => t_with(
                        "volunteers.judged_from_cpr",
                        &[("at", &crate::i18n::date_time_at(facts.looked_up_at))],
                    ),
                    None => t("volunteers.judged_from_declaration"),
                }}
            </p>
            <dl class="details">
                <dt>{t("volunteers.lives_here")}</dt><dd>{yes_no(v.municipality_code == home)}</dd>
                <dt>{t("field.citizenship")}</dt><dd>{t(&format!("citizenship.{}", v.citizenship.as_str()))}</dd>
                <dt>{t("field.guardianship")}</dt><dd>{yes_no(v.under_guardianship)}</dd>
            </dl>
            <p><strong>{t(if v.verified { "volunteers.verified" } else { "volunteers.not_verified" })}</strong></p>
            {can_verify.then(|| view! {
                <form method="post" action=SetVerified::url()>
                    <input type="hidden" name="id" value=v.id.to_string()/>
                    <input type="hidden" name="verified" value=(!v.verified).to_string()/>
                    <button type="submit" class="btn btn-secondary">
                        {t(if v.verified { "volunteers.unverify" } else { "volunteers.verify" })}
                    </button>
                </form>
            })}
        </section>
    }
}

/// Tap-to-call and tap-to-mail links; says so when the data is hidden.
#[component]
pub fn ContactLinks(phone: Option<String>, email: Option<String>) -> impl IntoView {
    if phone.is_none() && email.is_none() {
        return view! { <p class="muted">{t("volunteers.contact_hidden")}</p> }.into_any();
    }
    view! {
        <p class="contact-links">
            {phone.map(|p| view! {
                <a class="btn btn-secondary btn-small" href=format!("tel:{p}")>
                    <span class="visually-hidden">{t("field.phone")} ": "</span>{p.clone()}
                </a>
            })}
            " "
            {email.map(|e| view! {
                <a class="btn btn-secondary btn-small" href=format!("mailto:{e}")>
                    <span class="visually-hidden">{t("field.email")} ": "</span>{e.clone()}
                </a>
            })}
        </p>
    }
    .into_any()
}

/// A person's shifts: day, time, place, task and whether they answered.
#[component]
pub fn ShiftList(
    shifts: Vec<PersonShift>,
    /// Show accept and decline on open invitations (the person's own list).
    #[prop(optional)]
    answerable: bool,
) -> impl IntoView {
    if shifts.is_empty() {
        return view! { <p class="muted">{t("volunteers.no_shifts")}</p> }.into_any();
    }
    view! {
        <ul class="shift-list">
            {shifts.into_iter().map(|s| {
                let invited = answerable && s.status == SeatStatus::Invited;
                view! {
                    <li id=format!("seat-{}", s.seat_id)>
                        <span class="shift-when">
                            {short_date(s.day)} " " {s.start_time.format("%H:%M").to_string()} "–" {s.end_time.format("%H:%M").to_string()}
                        </span>
                        " · " {s.station_name.clone()} " · " {s.task_type.clone()}
                        " " <StatusBadge status=s.status/>
                        {invited.then(|| view! { <crate::shifts::AnswerForms seat_id=s.seat_id/> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn StatusBadge(status: SeatStatus) -> impl IntoView {
    let class = format!("badge badge-{}", status.as_str());
    view! { <span class=class>{t(&format!("status.{}", status.as_str()))}</span> }
}
