package viz

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/gonb-lessons/convolutions/lesson"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

func TestLang(t *testing.T) {
	for _, tc := range []struct {
		env, want, reason string
	}{
		{"", "en", "unset: English, the default"},
		{"en", "en", "English asked for"},
		{"zh", "zh", "the Chinese kernel's value"},
		{"zh-CN", "zh", "a BCP 47 tag for Chinese"},
		{"zh_CN.UTF-8", "zh", "a locale name, as in LANG"},
		{"ZH", "zh", "any case"},
		{"fr", "en", "no words in French: English"},
		{"zhx", "en", "only zh itself or zh with a region"},
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv("LESSON_LANG", tc.env)
			if got := lang(); got != tc.want {
				t.Errorf("LESSON_LANG=%q: lang() = %q, want %q (%s)", tc.env, got, tc.want, tc.reason)
			}
		})
	}
}

// stdout returns what f prints on standard output.
func stdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = saved }()
	f()
	w.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestLangWords checks the words each display shows in each language: what
// the Chinese notebooks show, and that English stays as it was.
func TestLangWords(t *testing.T) {
	d := &fashion.Data{Pixels: make([]uint8, 3*fashion.ImageSize*fashion.ImageSize), Labels: []uint8{0, 2, 9}}
	wrong := []int{6, 2, 7} // T-shirt taken for a shirt, ankle boot for a sneaker
	history := lesson.History{Epochs: []lesson.EpochStats{{Epoch: 1, Loss: 0.5, Accuracy: 0.8, TestLoss: 0.6, TestAccuracy: 0.7}}}
	for _, tc := range []struct {
		lang string
		// what each output must contain, by output.
		check, gallery, mistakes, noMistakes, confusion, chart, empty, summary []string
	}{
		{
			lang:       "en",
			check:      []string{"✓ done\n✗ not yet: the sizes — use the formula\n"},
			gallery:    []string{">T-shirt/top<", ">Pullover<", ">Ankle boot<"},
			mistakes:   []string{">T-shirt/top → Shirt<", ">Ankle boot → Sneaker<"},
			noMistakes: []string{"<p>no misclassified images</p>"},
			confusion:  []string{"<th>true ↓ predicted →</th>", "<th>Pullover</th>", ">Ankle boot</th>"},
			chart:      []string{">loss</text>", ">accuracy</text>", ">epoch</text>", ">train</text>", ">test</text>", "<title>train loss, epoch 1: 0.5000</title>"},
			empty:      []string{">waiting for the first epoch…</text>"},
			summary:    []string{">Layer (type)</th>", ">Output Shape</th>", ">Param #</th>", ">How it is computed</th>", ">Total params</th>", "<td>all trainable; non-trainable: 0</td>"},
		},
		{
			lang:       "zh",
			check:      []string{"✓ done\n✗ 还没有：the sizes — use the formula\n"},
			gallery:    []string{">T恤/上衣<", ">套头衫<", ">短靴<"},
			mistakes:   []string{">T恤/上衣 → 衬衫<", ">短靴 → 运动鞋<"},
			noMistakes: []string{"<p>没有分错的图片</p>"},
			confusion:  []string{"<th>真实 ↓ 预测 →</th>", "<th>套头衫</th>", ">短靴</th>"},
			chart:      []string{">损失 (loss)</text>", ">准确率 (accuracy)</text>", ">轮次 (epoch)</text>", ">训练集</text>", ">测试集</text>", "<title>训练集 损失 (loss), 轮次 (epoch) 1: 0.5000</title>"},
			empty:      []string{">等待第一轮训练结束…</text>"},
			summary:    []string{">层 (类型)</th>", ">输出形状</th>", ">参数个数</th>", ">计算方法</th>", ">参数总数</th>", "<td>全部可训练；不可训练的参数：0</td>", "conv2d (Conv2D)", "(3·3·1+1)·64 = 640"},
		},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Setenv("LESSON_LANG", tc.lang)
			c, err := NewConfusion(d, wrong)
			if err != nil {
				t.Fatal(err)
			}
			outputs := []struct {
				name string
				got  string
				want []string
			}{
				{"Check", stdout(t, func() {
					Check(true, "done", "unused")
					Check(false, "the sizes", "use the formula")
				}), tc.check},
				{"Gallery", must(t)(Gallery(d, nil)), tc.gallery},
				{"MisclassifiedGallery", must(t)(MisclassifiedGallery(d, wrong, 5)), tc.mistakes},
				{"MisclassifiedGallery without mistakes", must(t)(MisclassifiedGallery(d, []int{0, 2, 9}, 5)), tc.noMistakes},
				{"Confusion.HTML", c.HTML(), tc.confusion},
				{"chartSVG", chartSVG(history), tc.chart},
				{"chartSVG before the first epoch", chartSVG(lesson.History{}), tc.empty},
				{"SummaryHTML", SummaryHTML(model(t, lesson.CNN).Summary()), tc.summary},
			}
			for _, o := range outputs {
				for _, w := range o.want {
					if !strings.Contains(o.got, w) {
						t.Errorf("LESSON_LANG=%s: %s lacks %q:\n%s", tc.lang, o.name, w, o.got)
					}
				}
			}
		})
	}
}

// must returns a function that fails t on err and returns s.
func must(t *testing.T) func(s string, err error) string {
	return func(s string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}
