export { Loading, Empty, ErrorState } from './states.tsx';
export { Dialog, type DialogProps } from './Dialog.tsx';
export { DiffView, rowsFromAlert, rowsFromPinDiff, type DiffRow, type DiffViewProps } from './DiffView.tsx';
export { TrustBadge, type TrustBadgeProps } from './TrustBadge.tsx';
export { SeverityBadge } from './SeverityBadge.tsx';
export { formatTime, relativeTime, showValue } from './format.ts';
export { SeveritySelect } from './SeveritySelect.tsx';
