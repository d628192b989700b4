//! The QR scanner of a station's check-in (`/stations/:id/scan`, a page of
//! its own, the only one that may use the camera): the tablet's camera in a
//! video element, a frame every quarter second drawn to a canvas and
//! decoded in the wasm (rqrr, no browser barcode API needed). A check-in
//! code is offered to the page first (page.js matches it against the
//! roster the device keeps, which works offline); otherwise it opens its
//! confirmation page. Anything else is ignored.

use crate::i18n::{t, Texts};
use leptos::prelude::*;

/// The code in a scanned text: the part after `/checkin/` of one of this
/// site's check-in addresses.
pub fn checkin_code(text: &str) -> Option<String> {
    let (_, code) = text.trim().rsplit_once("/checkin/")?;
    let code = code.split(['?', '#']).next()?.to_string();
    (!code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then_some(code)
}

/// The texts the scanner shows.
pub fn texts() -> Texts {
    Texts::of(&["scanner."])
}

/// The camera and its decoder: scanning starts as soon as the scanner is
/// woken (the person came to this page to scan) and can be stopped and
/// started again.
#[island]
pub fn Scanner(texts: Texts) -> impl IntoView {
    texts.install();
    let scanning = RwSignal::new(false);
    // Each start is a new run; a loop of an earlier run sees it and ends.
    let run = RwSignal::new(0u32);
    let problem = RwSignal::new(None::<&'static str>);
    let video = NodeRef::<leptos::html::Video>::new();
    let toggle = move || {
        run.update(|n| *n += 1);
        if scanning.get_untracked() {
            scanning.set(false);
            #[cfg(feature = "hydrate")]
            camera::stop(video);
        } else {
            problem.set(None);
            scanning.set(true);
            #[cfg(feature = "hydrate")]
            camera::start(video, run, scanning, problem);
        }
    };
    // In the browser only (effects do not run on the server).
    Effect::new(move |started: Option<()>| {
        if started.is_none() {
            toggle();
        }
    });
    on_cleanup(move || {
        #[cfg(feature = "hydrate")]
        camera::stop(video);
    });
    view! {
        {move || problem.get().map(|key| view! { <div class="alert alert-error" role="alert"><p>{t(key)}</p></div> })}
        <video node_ref=video class="scanner-video" playsinline=true muted=true hidden=move || !scanning.get()
            aria-label=t("scanner.video")></video>
        <p>
            <button type="button" class="btn btn-primary" on:click=move |_| toggle()
                aria-pressed=move || scanning.get().to_string()>
                {move || if scanning.get() { t("scanner.stop") } else { t("scanner.start") }}
            </button>
        </p>
    }
}

#[cfg(feature = "hydrate")]
mod camera {
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(inline_js = r#"
export async function openCamera(video) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  await video.play();
}
export function closeCamera(video) {
  const stream = video && video.srcObject;
  if (stream) { stream.getTracks().forEach((t) => t.stop()); video.srcObject = null; }
}
// Tells the page (page.js) a code was read; false when the page took it
// (a station device that checks people in from the roster it keeps).
export function announceCode(code) {
  return window.dispatchEvent(new CustomEvent('valgvagt-scanned', { detail: code, cancelable: true }));
}
// One frame as grey levels (at most 640 pixels wide), or null before the first.
export function greyFrame(video) {
  const w0 = video.videoWidth, h0 = video.videoHeight;
  if (!w0 || !h0) return null;
  const scale = Math.min(1, 640 / w0);
  const w = Math.round(w0 * scale), h = Math.round(h0 * scale);
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(video, 0, 0, w, h);
  const rgba = ctx.getImageData(0, 0, w, h).data;
  const grey = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    grey[i] = (rgba[4 * i] * 77 + rgba[4 * i + 1] * 150 + rgba[4 * i + 2] * 29) >> 8;
  }
  return { width: w, height: h, grey };
}
"#)]
    extern "C" {
        #[wasm_bindgen(catch, js_name = openCamera)]
        async fn open_camera(video: &web_sys::HtmlVideoElement) -> Result<(), JsValue>;
        #[wasm_bindgen(js_name = closeCamera)]
        fn close_camera(video: &web_sys::HtmlVideoElement);
        #[wasm_bindgen(js_name = announceCode)]
        fn announce_code(code: &str) -> bool;
        #[wasm_bindgen(js_name = greyFrame)]
        fn grey_frame(video: &web_sys::HtmlVideoElement) -> JsValue;
    }

    /// Reads the first QR code in a frame, if any.
    fn decode(frame: &JsValue) -> Option<String> {
        let get = |k: &str| js_sys::Reflect::get(frame, &JsValue::from_str(k)).ok();
        let width = get("width")?.as_f64()? as usize;
        let height = get("height")?.as_f64()? as usize;
        let grey = js_sys::Uint8Array::new(&get("grey")?).to_vec();
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| grey[y * width + x]);
        image
            .detect_grids()
            .into_iter()
            .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
    }

    pub fn start(
        video: NodeRef<leptos::html::Video>,
        run: RwSignal<u32>,
        scanning: RwSignal<bool>,
        problem: RwSignal<Option<&'static str>>,
    ) {
        let mine = run.get_untracked();
        leptos::task::spawn_local(async move {
            let Some(element) = video.get_untracked() else {
                return;
            };
            if open_camera(&element).await.is_err() {
                scanning.set(false);
                problem.set(Some("scanner.no_camera"));
                return;
            }
            while scanning.get_untracked() && run.get_untracked() == mine {
                crate::browser::sleep(250).await;
                let frame = grey_frame(&element);
                if frame.is_null() {
                    continue;
                }
                if let Some(code) = decode(&frame).as_deref().and_then(super::checkin_code) {
                    close_camera(&element);
                    scanning.set(false);
                    // Otherwise the code's confirmation page (which needs a network).
                    if announce_code(&code) {
                        if let Some(window) = web_sys::window() {
                            let _ = window.location().set_href(&format!("/checkin/{code}"));
                        }
                    }
                    return;
                }
            }
            // A newer run owns the camera now.
            if run.get_untracked() == mine {
                close_camera(&element);
            }
        });
    }

    pub fn stop(video: NodeRef<leptos::html::Video>) {
        if let Some(element) = video.get_untracked() {
            close_camera(&element);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::checkin_code;

    #[test]
    fn only_check_in_addresses_give_a_code() {
        assert_eq!(
            checkin_code("https://valg.example.dk/checkin/12-abcDEF09").as_deref(),
            Some("12-abcDEF09")
        );
        assert_eq!(checkin_code("https://example.dk/other/12"), None);
        assert_eq!(checkin_code("https://x/checkin/"), None);
        assert_eq!(checkin_code("https://x/checkin/1-a<script>"), None);
    }
}
