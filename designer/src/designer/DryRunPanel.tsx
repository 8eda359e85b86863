export function DryRunPanel() {
  return <div className="panel-section">Dry run coming.</div>;
}
