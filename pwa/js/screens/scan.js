import { field, h, input } from '../dom.js';
import { t } from '../i18n.js';
import { tokenFrom } from '../cose.js';

// A camera scanner with BarcodeDetector where the browser has it; otherwise (and always) the text can be typed or
// pasted — the phone's own camera app opens /v#… links directly, which is the common path.
export function scanner(onText, labelKey = 'scan.manual') {
  const box = h('div', { class: 'scanner' });
  const manual = input('qr_text', { type: 'text', autocomplete: 'off', autocapitalize: 'none' });
  const form = h('form', { class: 'card', novalidate: true }, field(labelKey, manual),
    h('button', { type: 'submit', class: 'btn primary' }, t('scan.use_text')));
  form.addEventListener('submit', (e) => { e.preventDefault(); if (manual.value.trim()) onText(manual.value.trim()); });
  let stream = null;
  let stopped = false;
  const stop = () => { stopped = true; if (stream) stream.getTracks().forEach((tr) => tr.stop()); };
  if ('BarcodeDetector' in window && navigator.mediaDevices) {
    const video = h('video', { playsinline: true, muted: true, 'aria-label': t('scan.camera') });
    const start = h('button', { type: 'button', class: 'btn primary' }, t('scan.start_camera'));
    start.addEventListener('click', async () => {
      try {
        const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        video.srcObject = stream;
        await video.play();
        start.hidden = true;
        const tick = async () => {
          if (stopped) return;
          try {
            const codes = await detector.detect(video);
            if (codes.length) { stop(); onText(codes[0].rawValue); return; }
          } catch { /* frame not ready */ }
          setTimeout(tick, 250);
        };
        tick();
      } catch {
        box.append(h('p', { class: 'form-error', role: 'alert' }, t('scan.camera_unavailable')));
      }
    });
    box.append(video, start);
  } else {
    box.append(h('p', { class: 'hint' }, t('scan.no_detector')));
  }
  box.append(form);
  return { el: box, stop };
}

export function renderScan(el) {
  const s = scanner((text) => { location.href = `/v#${tokenFrom(text)}`; }, 'scan.manual_letter');
  el.append(h('h1', { tabindex: '-1' }, t('scan.title')), h('p', { class: 'lead' }, t('scan.lead')), s.el);
  return s.stop;
}
