//! What the browser runs. Every page is rendered whole on the server, and
//! its forms post without script. What HTML alone cannot do comes in two
//! kinds:
//!
//! - small, declarative behaviour named by data attributes, in
//!   `public/page.js` (busy buttons, the board's live part, the register's
//!   search as you type, the seat matrix's totals, the newcomer's steps,
//!   passkey sign-in);
//! - widgets with logic of their own, written here in Rust as *islands*
//!   (`#[island]` components): the QR scanner, making a passkey, turning
//!   push on, the import preview, the message-template editor, group
//!   messages and new sign-up links. Only their code is in the wasm, and
//!   `page.js` loads it only on a page that has an island (none of the
//!   volunteer's phone pages, nor the office's everyday ones: the board,
//!   rosters, check-in, lists and the register).
//!
//! Everything else is server-only code. Islands get the texts they show
//! from the server as a prop ([`crate::i18n::Texts`]), since the wasm
//! carries no translation tables.

#[cfg(feature = "hydrate")]
use leptos::prelude::*;

/// Fetches `url` (a page of this site) and puts the content of each of its
/// elements `#id` in place of ours. Focus stays on the element that had it
/// when the fresh part has one with the same id or link.
#[cfg(feature = "hydrate")]
pub async fn swap_in(url: &str, ids: &[&str]) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let window = window();
    let init = web_sys::RequestInit::new();
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new()?;
    headers.set("Accept", "text/html")?;
    init.set_headers(&headers);
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await?
        .dyn_into()?;
    if !response.ok() {
        return Err(wasm_bindgen::JsValue::from_str("not ok"));
    }
    let html = JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    let fresh =
        web_sys::DomParser::new()?.parse_from_string(&html, web_sys::SupportedType::TextHtml)?;
    let document = document();
    // Where focus was, to find it again in the fresh part.
    let focused = document.active_element();
    let focus_id = focused.as_ref().map(|e| e.id()).filter(|id| !id.is_empty());
    let focus_href = focused.as_ref().and_then(|e| e.get_attribute("href"));
    for id in ids {
        if let (Some(ours), Some(theirs)) =
            (document.get_element_by_id(id), fresh.get_element_by_id(id))
        {
            let had_focus = focused.as_ref().is_some_and(|f| ours.contains(Some(f)));
            ours.set_inner_html(&theirs.inner_html());
            if had_focus {
                let again = match (&focus_id, &focus_href) {
                    (Some(id), _) => document.get_element_by_id(id),
                    (None, Some(href)) => ours
                        .query_selector(&format!("[href=\"{}\"]", href.replace('"', "")))
                        .ok()
                        .flatten(),
                    _ => None,
                };
                if let Some(element) = again.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = element.focus();
                }
            }
        }
    }
    Ok(())
}

/// Waits `ms` milliseconds.
#[cfg(feature = "hydrate")]
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
