export function InstancesList() {
  return <div className="page">Instances</div>;
}
