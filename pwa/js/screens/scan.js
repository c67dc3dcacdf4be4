import { field, h, input } from '../dom.js';
import { t } from '../i18n.js';
import { tokenFrom } from '../cose.js';

// A camera scanner: BarcodeDetector where the browser has it, otherwise the small reader in qr-decode.js on camera
// frames. A photo of the code works too, and the text can always be typed or pasted (the phone's own camera app
// opens /v#… links directly, which is the common path).
async function detector() {
  if ('BarcodeDetector' in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) {
        const d = new window.BarcodeDetector({ formats: ['qr_code'] });
        return async (source) => { const codes = await d.detect(source); return codes.length ? codes[0].rawValue : null; };
      }
    } catch { /* fall back to our reader */ }
  }
  const { decodeSource } = await import('../qr-decode.js');
  return async (source) => decodeSource(source);
}

export function scanner(onText, labelKey = 'scan.manual') {
  const box = h('div', { class: 'scanner' });
  const manual = input('qr_text', { type: 'text', autocomplete: 'off', autocapitalize: 'none' });
  const form = h('form', { class: 'card', novalidate: true }, field(labelKey, manual),
    h('button', { type: 'submit', class: 'btn primary' }, t('scan.use_text')));
  form.addEventListener('submit', (e) => { e.preventDefault(); if (manual.value.trim()) onText(manual.value.trim()); });
  const status = h('p', { class: 'hint', role: 'status' });
  let stream = null;
  let stopped = false;
  const stop = () => { stopped = true; if (stream) stream.getTracks().forEach((tr) => tr.stop()); };
  const photo = h('input', { type: 'file', accept: 'image/*', capture: 'environment', id: `photo-${labelKey.replace(/\W/g, '')}`, name: 'photo' });
  photo.addEventListener('change', async () => {
    const file = photo.files[0];
    if (!file) return;
    status.textContent = t('scan.reading');
    try {
      const bitmap = await createImageBitmap(file);
      const text = await (await detector())(bitmap);
      if (text) { status.textContent = ''; onText(text); } else status.textContent = t('scan.not_found');
    } catch { status.textContent = t('scan.not_found'); }
  });
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    const video = h('video', { playsinline: true, muted: true, 'aria-label': t('scan.camera'), hidden: true });
    const start = h('button', { type: 'button', class: 'btn primary' }, t('scan.start_camera'));
    start.addEventListener('click', async () => {
      try {
        const read = await detector();
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        video.srcObject = stream;
        video.hidden = false;
        await video.play();
        start.hidden = true;
        const tick = async () => {
          if (stopped) return;
          let text = null;
          try { text = await read(video); } catch { /* frame not ready */ }
          if (text) { stop(); onText(text); return; }
          setTimeout(tick, 300);
        };
        tick();
      } catch {
        status.textContent = t('scan.camera_unavailable');
      }
    });
    box.append(video, start);
  }
  box.append(h('div', { class: 'field' }, h('label', { for: photo.id }, t('scan.photo')), photo), status, form);
  return { el: box, stop };
}

export function renderScan(el) {
  const s = scanner((text) => { location.href = `/v#${tokenFrom(text)}`; }, 'scan.manual_letter');
  el.append(h('h1', { tabindex: '-1' }, t('scan.title')), h('p', { class: 'lead' }, t('scan.lead')), s.el);
  return s.stop;
}
