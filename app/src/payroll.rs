//! The number finance pays a person against, kept by the office on the
//! person's page (the payroll file uses it where no CPR number is used).

use crate::components::Field;
use crate::domain::{AppError, Id};
use crate::i18n::t;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Sets a person's payroll number; an empty field takes it off.
#[server(endpoint = "payroll/number")]
pub async fn save_payroll_number(volunteer_id: Id, number: String) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        let number = crate::domain::exports::PayrollNumber::parse("number", &number)?;
        ctx.storage.get_volunteer(volunteer_id).await?;
        ctx.storage
            .set_payroll_number(volunteer_id, number.as_ref(), ctx.now())
            .await?;
        crate::server::redirect_to(&format!("/volunteers/{volunteer_id}#payroll"));
        Ok(())
    })
    .await
}

/// The payroll card on the office's page of a person.
#[component]
pub fn PayrollCard(volunteer_id: Id, number: Option<String>) -> impl IntoView {
    view! {
        <section class="card" id="payroll" aria-labelledby="payroll-heading">
            <h2 id="payroll-heading">{t("records.payroll")}</h2>
            <p class="hint">{t("records.payroll_hint")}</p>
            <form class="form" method="post" action=SavePayrollNumber::url()>
                <input type="hidden" name="volunteer_id" value=volunteer_id.to_string()/>
                <Field name="number" label="records.payroll_number" value=number.unwrap_or_default() autocomplete="off"/>
                <div class="form-actions">
                    <button type="submit" class="btn btn-secondary">{t("records.payroll_save")}</button>
                </div>
            </form>
        </section>
    }
}
