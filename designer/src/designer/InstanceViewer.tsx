export function InstanceViewer({ instanceId }: { instanceId: string }) {
  return <div className="page">Instance {instanceId}</div>;
}
