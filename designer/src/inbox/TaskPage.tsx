export function TaskPage({ taskId }: { taskId: string }) {
  return <div className="page">Task {taskId}</div>;
}
