// Installs Valgvagt's service worker (offline pages, push notifications).
// It never asks for permission to notify: that happens only from a button.
if ('serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => {
      console.warn('service worker not registered', error);
    });
  });
}
