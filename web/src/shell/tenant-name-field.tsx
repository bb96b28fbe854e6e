// The tenant name input, the same wherever a tenant is named (created or renamed): the API caps it at 80.
export function TenantNameField(props: { value: string; onInput: (value: string) => void; autofocus?: boolean; testId?: string }) {
  return (
    <label class="field">
      <span>Tenant name</span>
      <input
        class="input"
        name="tenant-name"
        required
        maxLength={80}
        autofocus={props.autofocus}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        data-testid={props.testId}
      />
    </label>
  );
}
