/**
 * The trust score as a coloured badge (bands from docs/trust-score.md: red 0–39, amber 40–74, green
 * 75–100). `data-band` carries the band so tests and styles need not parse colours.
 */
export interface TrustBadgeProps {
  /** ServerView.trust, or TrustResponse.trust reduced to score and band; null when never scored. */
  trust: { score: number; band: 'red' | 'amber' | 'green' } | null;
  /** `large` for the server detail header. */
  size?: 'normal' | 'large';
}

export function TrustBadge(props: TrustBadgeProps) {
  const size = props.size === 'large' ? ' trust-badge-large' : '';
  if (props.trust === null) {
    return (
      <span data-testid="trust-badge" role="img" className={`trust-badge trust-none${size}`} aria-label="Not scored yet">
        —
      </span>
    );
  }
  return (
    <span data-testid="trust-badge" role="img" data-band={props.trust.band} className={`trust-badge trust-${props.trust.band}${size}`} aria-label={`Trust score ${props.trust.score} of 100`}>
      {props.trust.score}
    </span>
  );
}
