/**
 * A custodian shows their share card's QR code to the workstation's camera. The camera is
 * allowed only while this screen is open (main opens its gate when the screen appears and
 * closes it when it goes, src/main/security.ts CameraGate); frames are read here with jsQR and
 * never leave the window; the first code that is a Custos share is sent as the answer and the
 * camera is stopped at once. The engine then checks it like a typed card.
 */
import jsQR from 'jsqr';
import { useEffect, useRef, useState } from 'react';
import { api, errorText } from './api';

const SHARE_PREFIX = 'CUSTOS:SHARE:';

export function CameraScan({ onCode }: { onCode: (payload: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<'starting' | 'looking' | 'read' | 'failed'>('starting');
  const [note, setNote] = useState('');
  const answer = useRef(onCode);
  answer.current = onCode;
  useEffect(() => {
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    let stopped = false;
    const canvas = document.createElement('canvas');
    const stop = () => {
      if (stopped) return; // once: after a read, and again as the screen goes
      stopped = true;
      if (timer) clearInterval(timer);
      stream?.getTracks().forEach((t) => t.stop());
      if (video.current) video.current.srcObject = null;
      canvas.width = 0;
      void api().camera(false);
    };
    const look = () => {
      const v = video.current;
      if (!v || stopped || v.readyState < 2 || !v.videoWidth) return;
      canvas.width = v.videoWidth;
      canvas.height = v.videoHeight;
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(v, 0, 0);
      const frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const code = jsQR(frame.data, frame.width, frame.height, { inversionAttempts: 'dontInvert' });
      frame.data.fill(0);
      if (!code?.data) return;
      if (!code.data.startsWith(SHARE_PREFIX)) {
        setNote('That QR code is not a Custos share card.');
        return;
      }
      setState('read');
      stop();
      answer.current(code.data);
    };
    (async () => {
      try {
        await api().camera(true);
        stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
        if (stopped) return stream.getTracks().forEach((t) => t.stop());
        video.current!.srcObject = stream;
        await video.current!.play();
        setState('looking');
        timer = setInterval(look, 150);
      } catch (e) {
        setState('failed');
        setNote(`The camera could not be opened (${errorText(e)}). Choose a picture of the card, or type it.`);
        stop();
      }
    })();
    return stop;
  }, []);
  return (
    <div className="camera">
      <p role="status">
        {state === 'starting' && 'Opening the camera…'}
        {state === 'looking' && 'Hold your card flat in front of the camera, QR code facing it, until it is read.'}
        {state === 'read' && 'Your card’s QR code was read; the camera is off.'}
        {state === 'failed' && 'The camera is off.'}
      </p>
      <video ref={video} className="camera-view" muted playsInline aria-label="What the camera sees" />
      {note && (
        <p className={state === 'failed' ? 'error' : 'note'} role={state === 'failed' ? 'alert' : undefined}>
          {note}
        </p>
      )}
    </div>
  );
}
